"""The sandbox gateway: a stand-in for VNPay inside the portal, so the whole journey works offline.

It speaks the same protocol as ``providers.vnpay``: it accepts the signed order, shows it
with "Thanh toán" and "Hủy", then (like the real gateway) calls the portal's IPN address
server to server with the signed outcome and redirects the browser to the signed return
address. It exists only when ``PAYMENT_SANDBOX_ENABLED`` is on (local and test settings);
its pages answer 404 otherwise.

The IPN call is a real HTTP request to ``PAYMENT_SANDBOX_IPN_URL`` (by default the IPN
address on the host the citizen used). A server that cannot call itself (a single-worker
process) would wait for itself; when the HTTP call fails, or with
``PAYMENT_SANDBOX_IPN_MODE=inline``, the sandbox calls the IPN view function in-process
instead: the same view, the same code path, only without the network.
"""

import json
import logging
import secrets
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .providers.vnpay import RESPONSE_CANCELLED, RESPONSE_SUCCESS, gateway_time, sign, signed_query, verify
from .views import vnpay_ipn

logger = logging.getLogger(__name__)

# The fields of the order the gateway echoes back in its answers.
ECHOED_FIELDS = ("vnp_TmnCode", "vnp_Amount", "vnp_TxnRef", "vnp_OrderInfo")
SANDBOX_BANK = "NCB"


class InvalidOrder(Exception):
    """The order is not signed with the merchant's secret, or is for another merchant, or incomplete."""


def enabled():
    return bool(settings.PAYMENT_SANDBOX_ENABLED)


def check_order(params):
    """Verify an order the portal sent; return it as a plain dict (raises ``InvalidOrder``)."""
    params = {key: str(value) for key, value in params.items()}
    if not verify(params, settings.VNPAY_HASH_SECRET):
        raise InvalidOrder("invalid signature")
    if params.get("vnp_TmnCode") != settings.VNPAY_TMN_CODE:
        raise InvalidOrder("unknown merchant")
    missing = [field for field in (*ECHOED_FIELDS, "vnp_ReturnUrl") if not params.get(field)]
    if missing:
        raise InvalidOrder(f"missing {', '.join(missing)}")
    return params


def answer(order, *, paid):
    """The gateway's signed outcome for ``order``: success, or the customer cancelled (code 24)."""
    code = RESPONSE_SUCCESS if paid else RESPONSE_CANCELLED
    params = {field: order[field] for field in ECHOED_FIELDS}
    params.update({
        "vnp_BankCode": SANDBOX_BANK,
        "vnp_CardType": "ATM",
        "vnp_PayDate": gateway_time(timezone.now()),
        "vnp_ResponseCode": code,
        "vnp_TransactionNo": f"{secrets.randbelow(10**8):08d}" if paid else "0",
        "vnp_TransactionStatus": "00" if paid else "02",
    })
    if paid:
        params["vnp_BankTranNo"] = f"VNP{secrets.randbelow(10**8):08d}"
    params["vnp_SecureHash"] = sign(params, settings.VNPAY_HASH_SECRET)
    return params


def return_redirect_url(order, answer_params):
    """The browser's way back to the portal: ``vnp_ReturnUrl`` with the signed outcome."""
    unsigned = {key: value for key, value in answer_params.items() if key != "vnp_SecureHash"}
    separator = "&" if "?" in order["vnp_ReturnUrl"] else "?"
    return f"{order['vnp_ReturnUrl']}{separator}{signed_query(unsigned, settings.VNPAY_HASH_SECRET)}"


@dataclass(frozen=True)
class IpnDelivery:
    response: dict  # the portal's JSON answer
    via: str  # "http" or "inline"


def ipn_url(request):
    return settings.PAYMENT_SANDBOX_IPN_URL or request.build_absolute_uri(reverse("payments:vnpay_ipn"))


def deliver_ipn(request, answer_params):
    """Send the IPN to the portal like the gateway does; return the portal's answer and how it went."""
    url = ipn_url(request)
    if settings.PAYMENT_SANDBOX_IPN_MODE != "inline":
        query = urllib.parse.urlencode(answer_params)
        try:
            with urllib.request.urlopen(f"{url}?{query}", timeout=settings.PAYMENT_SANDBOX_IPN_TIMEOUT) as reply:
                return IpnDelivery(json.loads(reply.read().decode()), "http")
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
            logger.warning("sandbox: IPN over HTTP to %s failed (%s); calling the IPN view in-process", url, error)
    return IpnDelivery(_call_ipn_view(answer_params), "inline")


def _call_ipn_view(answer_params):
    ipn_request = RequestFactory().get(reverse("payments:vnpay_ipn"), data=answer_params)
    return json.loads(vnpay_ipn(ipn_request).content)


@never_cache
@require_http_methods(["GET", "POST"])
def gateway_page(request):
    """The sandbox gateway's page: the order, "Thanh toán" and "Hủy" (404 when the sandbox is off)."""
    if not enabled():
        raise Http404("sandbox gateway disabled")
    params = (request.GET if request.method == "GET" else request.POST).dict()
    try:
        order = check_order(params)
    except InvalidOrder as error:
        return render(request, "payments/sandbox.html", {"error": str(error)}, status=400)
    if request.method == "GET":
        fields = sorted((key, value) for key, value in params.items() if key.startswith("vnp_"))
        return render(request, "payments/sandbox.html", {
            "order": order, "fields": fields, "amount": int(order["vnp_Amount"]) // 100,
        })
    answer_params = answer(order, paid=request.POST.get("action") == "pay")
    delivery = deliver_ipn(request, answer_params)
    logger.info("sandbox: IPN for %s delivered via %s, answer %s", order["vnp_TxnRef"], delivery.via,
                delivery.response)
    return redirect(return_redirect_url(order, answer_params))
