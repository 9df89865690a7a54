"""Email through Django's email framework (SMTP in production): plain text and HTML parts.

Each sending thread keeps its connection to the mail server open between messages (one
``EMAIL_BACKEND`` instance per thread): no TCP and TLS handshake per message, and no
``QUIT`` round trip between the server's ``250`` and recording the message as sent.
"""

import smtplib
import threading
import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from .exceptions import PermanentSendError, TemporarySendError
from .sms import SendResult


def message_id(notification):
    """The same Message-ID on every attempt, so a mail client can drop a copy sent twice."""
    domain = urlsplit(settings.PORTAL_BASE_URL).hostname or "localhost"
    owner = notification.dossier_id if notification.dossier_id else f"nhap-{notification.draft_id}"
    return f"<thong-bao-{notification.pk}.{owner}@{domain}>"


def _code_error(code, text):
    reason = f"SMTP {code}: {text.decode(errors='replace') if isinstance(text, bytes) else text}"
    return PermanentSendError(reason) if 500 <= code < 600 else TemporarySendError(reason)


# A connection unused for this long is checked (NOOP) before the next message: servers drop idle ones.
IDLE_CHECK_SECONDS = 30

_threads = threading.local()


def _connection():
    """This thread's open connection to the mail server (opened, or checked after a pause, here)."""
    backend = getattr(_threads, "backend", None)
    if backend is not None and (backend.__class__.__module__ != settings.EMAIL_BACKEND.rsplit(".", 1)[0]
                                or getattr(_threads, "host", None) != (settings.EMAIL_HOST, settings.EMAIL_PORT)):
        _drop_connection()  # the settings changed (tests): start again
        backend = None
    if backend is not None and time.monotonic() - _threads.used_at > IDLE_CHECK_SECONDS:
        smtp = getattr(backend, "connection", None)
        try:
            if smtp is not None and smtp.noop()[0] != 250:
                raise smtplib.SMTPServerDisconnected("NOOP refused")
        except (smtplib.SMTPException, OSError):
            _drop_connection()  # nothing was sent on it: a fresh one is safe
            backend = None
    if backend is None:
        backend = get_connection(fail_silently=False)
        backend.open()
        _threads.backend, _threads.host = backend, (settings.EMAIL_HOST, settings.EMAIL_PORT)
    _threads.used_at = time.monotonic()
    return backend


def _drop_connection():
    backend = getattr(_threads, "backend", None)
    _threads.backend = None
    if backend is not None:
        try:
            backend.close()
        except Exception:  # noqa: BLE001, S110 - a broken connection is being thrown away
            pass


def send_email(notification):
    """Send ``notification`` (an email outbox row); raise Temporary/PermanentSendError when refused."""
    headers = {"Message-ID": message_id(notification)}
    if notification.dossier_id:  # a draft's resume link has no dossier code yet
        headers["X-Dossier-Code"] = notification.dossier.code
    mail = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
        headers=headers,
    )
    if notification.body_html:
        mail.attach_alternative(notification.body_html, "text/html")
    try:
        mail.connection = _connection()
        mail.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        _drop_connection()  # the transaction may be left half-open: start the next message afresh
        code, text = next(iter(error.recipients.values()))
        raise _code_error(code, text) from error
    except smtplib.SMTPResponseException as error:
        _drop_connection()
        raise _code_error(error.smtp_code, error.smtp_error) from error
    except (smtplib.SMTPException, OSError) as error:
        _drop_connection()
        raise TemporarySendError(f"SMTP: {type(error).__name__}: {error}") from error
    return SendResult(provider_id=message_id(notification).strip("<>")[:64], status="sent")
