"""The citizen's payment pages and the gateway's IPN and return addresses (the sandbox's page is in ``sandbox``).

Thin: each view reads the request, calls ``payments.services`` (or ``payments.sandbox``),
and renders. Only the IPN changes a payment's outcome; the return page only shows it.
"""

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from dossiers.links import PAYMENT, dossier_from_token, make_token
from dossiers.workflow import DossierStatus
from portal.security import client_ip

from . import services
from .models import PaymentStatus
from .money import amount_in_words
from .providers import NotConfigured

logger = logging.getLogger(__name__)


def _dossier_for(token):
    dossier = dossier_from_token(PAYMENT, token, max_age_days=settings.PAYMENT_LINK_DAYS)
    if dossier is None:
        raise Http404("bad payment link")
    return dossier


@never_cache
@require_http_methods(["GET", "POST"])
def pay(request, token):
    """The dossier's fee and its payment attempts; POST starts a new attempt at the gateway."""
    dossier = _dossier_for(token)
    if request.method == "POST":
        try:
            _payment, gateway_url = services.start_online_payment(
                dossier, return_url=request.build_absolute_uri(reverse("payments:vnpay_return")),
                # vnp_IpAddr: the citizen's address as the rate limits and the lockout see it (behind
                # nginx, REMOTE_ADDR is the proxy's own).
                client_ip=client_ip(request),
            )
        except services.PaymentError as error:
            messages.error(request, str(error))
            return redirect("payments:pay", token=token)
        except NotConfigured:
            logger.exception("online payment is not configured")
            messages.error(request, _("Thanh toán trực tuyến tạm thời chưa sẵn sàng. Vui lòng thử lại sau."))
            return redirect("payments:pay", token=token)
        return redirect(gateway_url)
    attempts = list(dossier.payments.all())
    paid = next((p for p in attempts if p.status == PaymentStatus.PAID), None)
    return render(request, "payments/pay.html", {
        "dossier": dossier, "token": token, "attempts": attempts, "paid": paid,
        "can_pay": paid is None and dossier.status == DossierStatus.AWAITING_PAYMENT and dossier.fee_amount > 0,
        "exempted": dossier.events.filter(action="exempt_payment").exists(),
    })


@csrf_exempt  # called server to server by the gateway; the HMAC signature is the authentication
@require_http_methods(["GET", "POST"])
def vnpay_ipn(request):
    """The gateway's Instant Payment Notification; answers ``{"RspCode", "Message"}``."""
    params = (request.GET if request.method == "GET" else request.POST).dict()
    try:
        answer = services.handle_gateway_notification(params)
    except Exception:  # noqa: BLE001 - the gateway must always get a protocol answer; it retries on 99
        logger.exception("payment notification failed")
        answer = services.UNKNOWN_ERROR
    return JsonResponse(answer.as_json())


@never_cache
def vnpay_return(request):
    """Where the gateway sends the citizen back: shows the outcome the IPN recorded, waiting for it briefly."""
    payment = services.read_return(request.GET.dict())
    if payment is None:
        return render(request, "payments/return.html", {"invalid": True}, status=400)
    deadline = time.monotonic() + settings.PAYMENT_RETURN_WAIT_SECONDS
    while payment.status == PaymentStatus.PENDING and time.monotonic() < deadline:
        time.sleep(0.5)
        payment.refresh_from_db(fields=["status", "paid_at"])
    dossier = payment.dossier
    return render(request, "payments/return.html", {
        "payment": payment, "dossier": dossier, "token": make_token(PAYMENT, dossier.pk),
        "pending": payment.status == PaymentStatus.PENDING,
    })


@never_cache
def receipt(request, token):
    """The printable electronic receipt (biên lai) of the dossier's payment."""
    dossier = _dossier_for(token)
    payment = (dossier.payments.filter(status__in=[PaymentStatus.PAID, PaymentStatus.REFUNDED])
               .order_by("-paid_at").first())
    if payment is None or payment.paid_at is None:
        raise Http404("no receipt")
    return render(request, "payments/receipt.html", receipt_context(payment, back_url=reverse("payments:pay", args=[token])))


def receipt_context(payment, *, back_url=""):
    return {"payment": payment, "dossier": payment.dossier, "amount_words": amount_in_words(payment.amount),
            "back_url": back_url}
