"""Email through Django's email framework (SMTP in production): plain text and HTML parts."""

import smtplib
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from .exceptions import PermanentSendError, TemporarySendError
from .sms import SendResult


def message_id(notification):
    """The same Message-ID on every attempt, so a mail client can drop a copy sent twice."""
    domain = urlsplit(settings.PORTAL_BASE_URL).hostname or "localhost"
    return f"<thong-bao-{notification.pk}.{notification.dossier_id}@{domain}>"


def _code_error(code, text):
    reason = f"SMTP {code}: {text.decode(errors='replace') if isinstance(text, bytes) else text}"
    return PermanentSendError(reason) if 500 <= code < 600 else TemporarySendError(reason)


def send_email(notification):
    """Send ``notification`` (an email outbox row); raise Temporary/PermanentSendError when refused."""
    mail = EmailMultiAlternatives(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[notification.recipient],
        headers={"Message-ID": message_id(notification), "X-Dossier-Code": notification.dossier.code},
    )
    if notification.body_html:
        mail.attach_alternative(notification.body_html, "text/html")
    try:
        mail.send(fail_silently=False)
    except smtplib.SMTPRecipientsRefused as error:
        code, text = next(iter(error.recipients.values()))
        raise _code_error(code, text) from error
    except smtplib.SMTPResponseException as error:
        raise _code_error(error.smtp_code, error.smtp_error) from error
    except (smtplib.SMTPException, OSError) as error:
        raise TemporarySendError(f"SMTP: {type(error).__name__}: {error}") from error
    return SendResult(provider_id=message_id(notification).strip("<>")[:64], status="sent")
