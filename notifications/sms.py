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
from urllib.parse import urlencode, urlsplit

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

    def prepare(self):
        """Load what sending needs, once, when a worker starts (not when its first message is due)."""


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
    """The ``twilio`` library's HTTP client, on one urllib3 connection, sending to ``base_url`` when set."""
    from twilio.http import HttpClient
    from twilio.http.response import Response

    class PooledHttpClient(HttpClient):
        """The library's ``HttpClient`` interface (its supported extension point) on urllib3 directly.

        The library's own client goes through a ``requests`` session, which on every request
        reads the whole process environment twice (proxies, ``NO_PROXY``, CA bundle) and
        rebuilds the request through its hooks and cookie jar: about 0.6 ms of the worker's CPU
        an SMS, more than the rest of sending it. Here the environment is read once, with
        ``requests``' own rules, for the API's address; the library still builds every path and
        parameter and reads every answer. ``requests`` stays the library's dependency.
        """

        def __init__(self):
            import requests
            import urllib3

            super().__init__(logger, False, timeout)
            api = base_url or "https://api.twilio.com"
            environment = requests.Session().merge_environment_settings(api, {}, None, None, None)
            proxy = environment["proxies"].get(urlsplit(api).scheme) or environment["proxies"].get("all")
            verify = environment["verify"]
            tls = {"ca_certs": verify if isinstance(verify, str) else requests.certs.where()} \
                if verify is not False else {"cert_reqs": "CERT_NONE"}
            # One connection, kept open: each sending thread has its own client.
            options = {"maxsize": 1, "retries": False, **tls}
            self.pool = urllib3.ProxyManager(proxy, **options) if proxy else urllib3.PoolManager(**options)
            self.timeout_config = urllib3.Timeout(connect=timeout, read=timeout)

        def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None,
                    allow_redirects=False):
            import urllib3

            if base_url:
                target, original = urlsplit(base_url), urlsplit(url)
                url = original._replace(scheme=target.scheme, netloc=target.netloc,
                                        path=target.path.rstrip("/") + original.path).geturl()
            if params:
                url += "?" + urlencode(params, doseq=True)
            headers = dict(headers or {})
            body = None
            if data:
                body = urlencode(data, doseq=True)
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            if auth:
                headers.update(urllib3.make_headers(basic_auth=f"{auth[0]}:{auth[1]}"))
            answer = self.pool.request(method, url, body=body, headers=headers, redirect=allow_redirects,
                                       timeout=urllib3.Timeout(connect=timeout, read=timeout) if timeout
                                       else self.timeout_config)
            logger.debug("Twilio %s %s: HTTP %s", method, url, answer.status)
            return Response(answer.status, answer.data.decode("utf-8"), answer.headers)

    return PooledHttpClient()


_clients = threading.local()


def _twilio_client(account_sid, auth_token, base_url, timeout):
    """One client per thread and account: its HTTP client keeps its connection to Twilio open.

    Per thread, because a worker sends from many threads at once (``NOTIFICATIONS_SEND_THREADS``)
    and each thread keeps one connection: none is opened or dropped under that load.
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

    def prepare(self):
        # The library loads its API's modules on first use: about 0.3 s of CPU, which would
        # otherwise delay a fresh worker's first messages (and every sending thread waits for it).
        self.client.messages  # noqa: B018 - the property loads them

    def _sender(self):
        if settings.TWILIO_MESSAGING_SERVICE_SID:
            return {"messaging_service_sid": settings.TWILIO_MESSAGING_SERVICE_SID}
        return {"from_": settings.TWILIO_FROM_NUMBER}

    def send(self, *, notification_id, to, body):
        from twilio.base.exceptions import TwilioException, TwilioRestException
        from urllib3.exceptions import ConnectTimeoutError, HTTPError, NewConnectionError

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
        except (HTTPError, TwilioException, OSError) as error:
            # Only a connection that timed out before it was made is sure not to have reached
            # Twilio (a refused one, ``NewConnectionError``, is counted as unknown, as it was
            # with the ``requests`` client: its ``ConnectTimeout`` left that case out too).
            never_connected = isinstance(error, ConnectTimeoutError) and not isinstance(error, NewConnectionError)
            raise TemporarySendError(f"Twilio: {type(error).__name__}: {error}",
                                     outcome_unknown=not never_connected) from error
        return SendResult(provider_id=message.sid, status="queued")

    def find_sent(self, *, to, body, since):
        from twilio.base.exceptions import TwilioException
        from urllib3.exceptions import HTTPError

        try:
            messages = self.client.messages.list(to=to, limit=50)
        except (HTTPError, TwilioException, OSError) as error:
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
