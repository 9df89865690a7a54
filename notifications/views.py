"""Delivery receipts from the SMS provider."""

import logging

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from . import sending

logger = logging.getLogger(__name__)


@csrf_exempt  # Twilio cannot send a CSRF token; the request signature takes its place.
@require_POST
def twilio_status(request, notification_id):
    """Twilio's status callback: check ``X-Twilio-Signature``, then record the message's delivery status.

    The signature is computed over the public URL Twilio called (``PORTAL_BASE_URL`` and the
    path), so it holds behind a proxy that rewrites the host or the scheme.
    """
    signature = request.headers.get("X-Twilio-Signature", "")
    url = settings.PORTAL_BASE_URL + request.get_full_path()
    if not (signature and settings.TWILIO_AUTH_TOKEN
            and RequestValidator(settings.TWILIO_AUTH_TOKEN).validate(url, request.POST, signature)):
        logger.warning("refused a Twilio status callback with a missing or invalid signature for %s", url)
        return HttpResponseForbidden("invalid signature")
    sending.record_delivery_status(
        notification_id,
        provider_id=request.POST.get("MessageSid", ""),
        provider_status=request.POST.get("MessageStatus") or request.POST.get("SmsStatus", ""),
        error_code=request.POST.get("ErrorCode", ""),
        error_message=request.POST.get("ErrorMessage", ""),
    )
    return HttpResponse(status=204)
