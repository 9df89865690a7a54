"""SMS backends. ``SMS_BACKEND`` names the class; adding an operator's gateway is one more class here.

A backend's ``send`` returns a ``SendResult`` or raises ``TemporarySendError`` /
``PermanentSendError``. ``find_sent`` lets the sender ask the provider whether an
attempt that was interrupted (a worker killed mid-request, a read timeout) got through,
so the message is not sent a second time; a backend that cannot tell returns ``None``.
"""

import logging
import math
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from .exceptions import PermanentSendError, TemporarySendError

logger = logging.getLogger(__name__)

# GSM 03.38: the basic character set, and the extension table whose characters take two septets.
GSM7_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = set("^{}\\[~]|€\f")


def sms_segments(text: str) -> int:
    """How many SMS parts ``text`` takes: GSM-7 160 (153 a part when split), else UCS-2 70 (67)."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        septets = sum(2 if ch in GSM7_EXTENSION else 1 for ch in text)
        return 1 if septets <= 160 else math.ceil(septets / 153)
    units = len(text.encode("utf-16-le")) // 2
    return 1 if units <= 70 else math.ceil(units / 67)


@dataclass(frozen=True)
class SendResult:
    provider_id: str
    # A NotificationStatus value: "queued" (the SMS provider took it) or "sent".
    status: str = "queued"


def status_callback_url(notification_id):
    return settings.PORTAL_BASE_URL + reverse("notifications:twilio_status", args=[notification_id])


class BaseSmsBackend:
    def send(self, *, notification_id, to, body) -> SendResult:
        raise NotImplementedError

    def find_sent(self, *, to, body, since) -> SendResult | None:
        return None


class ConsoleBackend(BaseSmsBackend):
    """Prints the message (local use)."""

    def send(self, *, notification_id, to, body):
        logger.info("SMS to %s: %s", to, body)
        print(f"SMS → {to}: {body}", flush=True)  # noqa: T201 - the point of this backend
        return SendResult(provider_id=f"console-{uuid.uuid4().hex[:16]}", status="sent")


class InMemoryBackend(BaseSmsBackend):
    """Keeps messages in ``InMemoryBackend.outbox`` (unit tests), like Django's locmem email backend."""

    outbox: list = []
    _lock = threading.Lock()

    def send(self, *, notification_id, to, body):
        provider_id = f"MEM{uuid.uuid4().hex}"
        with self._lock:
            InMemoryBackend.outbox.append({"sid": provider_id, "to": to, "body": body, "at": timezone.now(),
                                           "notification_id": notification_id})
        return SendResult(provider_id=provider_id, status="sent")

    def find_sent(self, *, to, body, since):
        for message in reversed(InMemoryBackend.outbox):
            if message["to"] == to and message["body"] == body and message["at"] >= since:
                return SendResult(provider_id=message["sid"], status="sent")
        return None


def _twilio_http_client(base_url, timeout):
    """The library's own HTTP client, sending to ``base_url`` instead of api.twilio.com when set.

    A custom ``HttpClient`` is the library's supported extension point (proxies, timeouts);
    rewriting only the scheme and host keeps every path and parameter the library builds.
    """
    from twilio.http.http_client import TwilioHttpClient

    class RebasedHttpClient(TwilioHttpClient):
        def request(self, method, url, *args, **kwargs):
            if base_url:
                target, original = urlsplit(base_url), urlsplit(url)
                url = original._replace(scheme=target.scheme, netloc=target.netloc,
                                        path=target.path.rstrip("/") + original.path).geturl()
            return super().request(method, url, *args, **kwargs)

    return RebasedHttpClient(timeout=timeout)


_clients = threading.local()


def _twilio_client(account_sid, auth_token, base_url, timeout):
    """One client per thread and account: its HTTP session keeps its connection to Twilio open.

    Per thread, because a worker sends from many threads at once (``--pool=threads``) and a
    shared session's connection pool would open and drop connections under that load.
    """
    from twilio.rest import Client

    key = (account_sid, auth_token, base_url, timeout)
    cached = getattr(_clients, "by_key", None)
    if cached is None:
        cached = _clients.by_key = {}
    if key not in cached:
        cached[key] = Client(account_sid, auth_token, http_client=_twilio_http_client(base_url, timeout))
    return cached[key]


# Twilio answers these for a message that can never go out as it is.
TWILIO_PERMANENT_CODES = {
    21211,  # invalid 'To' number
    21214,  # 'To' number cannot be reached
    21408,  # permission to send to this region not enabled
    21610,  # the recipient replied STOP
    21612,  # cannot route to this number
    21614,  # 'To' is not a mobile number
    21617,  # body too long
}


class TwilioBackend(BaseSmsBackend):
    """Sends through Twilio's Messages API with the official client.

    Settings: ``TWILIO_ACCOUNT_SID``, ``TWILIO_AUTH_TOKEN``, and ``TWILIO_MESSAGING_SERVICE_SID``
    or ``TWILIO_FROM_NUMBER``. Delivery receipts come back to ``/thong-bao/twilio/<id>/trang-thai/``.
    """

    def __init__(self):
        self.client = _twilio_client(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN,
                                     settings.TWILIO_API_BASE_URL, float(settings.TWILIO_TIMEOUT))

    def _sender(self):
        if settings.TWILIO_MESSAGING_SERVICE_SID:
            return {"messaging_service_sid": settings.TWILIO_MESSAGING_SERVICE_SID}
        return {"from_": settings.TWILIO_FROM_NUMBER}

    def send(self, *, notification_id, to, body):
        from requests import ConnectTimeout, RequestException
        from twilio.base.exceptions import TwilioException, TwilioRestException

        try:
            message = self.client.messages.create(
                to=to, body=body, status_callback=status_callback_url(notification_id), **self._sender())
        except TwilioRestException as error:
            reason = f"Twilio HTTP {error.status}, mã lỗi {error.code}: {error.msg}"
            if error.status == 429 or error.status >= 500:
                raise TemporarySendError(reason) from error
            if error.code in TWILIO_PERMANENT_CODES or 400 <= error.status < 500:
                raise PermanentSendError(reason) from error
            raise TemporarySendError(reason) from error
        except (RequestException, TwilioException, OSError) as error:
            # Only a connection never made is sure not to have reached Twilio.
            raise TemporarySendError(f"Twilio: {type(error).__name__}: {error}",
                                     outcome_unknown=not isinstance(error, ConnectTimeout)) from error
        return SendResult(provider_id=message.sid, status="queued")

    def find_sent(self, *, to, body, since):
        from requests import RequestException
        from twilio.base.exceptions import TwilioException

        try:
            messages = self.client.messages.list(to=to, limit=50)
        except (RequestException, TwilioException, OSError) as error:
            # Cannot tell: better to wait than to risk a second SMS. The earlier attempt's
            # outcome stays unknown, so the next attempt asks again before sending.
            raise TemporarySendError(f"Twilio (kiểm tra tin đã gửi): {error}", outcome_unknown=True) from error
        slack = since - timedelta(seconds=60)
        for message in messages:
            if message.body == body and message.date_created and message.date_created >= slack:
                return SendResult(provider_id=message.sid, status="queued")
        return None


def get_backend():
    return import_string(settings.SMS_BACKEND)()
