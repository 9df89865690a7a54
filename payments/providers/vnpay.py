"""The VNPay-style redirect protocol (version 2.1.0), which most Vietnamese gateways speak.

1. The portal redirects the citizen to the gateway with the order's ``vnp_*`` parameters
   and ``vnp_SecureHash`` = HMAC-SHA512, keyed with the merchant's secret, over the
   parameters sorted by name and URL-encoded (``quote_plus``) as ``k1=v1&k2=v2…``.
2. The gateway calls the portal's IPN address server to server with the outcome, signed
   the same way; the portal answers ``{"RspCode": …, "Message": …}``.
3. The gateway redirects the citizen to ``vnp_ReturnUrl`` with the same signed outcome.

Amounts travel multiplied by 100 (``vnp_Amount=5000000`` is 50.000 đồng). Pointing the
provider at a real gateway (VNPay's sandbox or production) is a matter of the settings
``VNPAY_TMN_CODE``, ``VNPAY_HASH_SECRET`` and ``VNPAY_PAYMENT_URL``; with the last one
empty and ``PAYMENT_SANDBOX_ENABLED`` on, it uses the portal's own sandbox gateway.
"""

import hashlib
import hmac
from datetime import timedelta
from urllib.parse import quote_plus

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from procedures.text import strip_diacritics

from .base import NotConfigured, Notification, Outcome

VERSION = "2.1.0"
HASH_FIELDS = ("vnp_SecureHash", "vnp_SecureHashType")
# vnp_ResponseCode of the answers: 00 success, 24 the customer cancelled; anything else failed.
RESPONSE_SUCCESS = "00"
RESPONSE_CANCELLED = "24"
EXPIRE_MINUTES = 15
# The gateway's clock is Vietnam's (GMT+7), whatever the server's.
DATE_FORMAT = "%Y%m%d%H%M%S"


class InvalidSignature(Exception):
    """The parameters are not signed with the merchant's secret (forged or tampered)."""


class MalformedNotification(Exception):
    """Signed, but a field the protocol requires is missing or not a number."""


def canonical_query(params):
    """The string that is signed: ``vnp_*`` parameters but the hash, sorted, ``quote_plus``-encoded."""
    items = sorted((key, str(value)) for key, value in params.items()
                   if key.startswith("vnp_") and key not in HASH_FIELDS and value is not None)
    return "&".join(f"{key}={quote_plus(value)}" for key, value in items)


def sign(params, secret):
    """HMAC-SHA512 of ``canonical_query(params)`` with ``secret``, as lower-case hex."""
    return hmac.new(secret.encode(), canonical_query(params).encode(), hashlib.sha512).hexdigest()


def verify(params, secret):
    """True if ``params["vnp_SecureHash"]`` is the signature of the other parameters."""
    given = str(params.get("vnp_SecureHash", "")).lower()
    return bool(given) and bool(secret) and hmac.compare_digest(given, sign(params, secret))


def signed_query(params, secret):
    """``params`` as a query string with its ``vnp_SecureHash`` appended."""
    return f"{canonical_query(params)}&vnp_SecureHash={sign(params, secret)}"


def gateway_time(moment):
    return timezone.localtime(moment, timezone.get_fixed_timezone(7 * 60)).strftime(DATE_FORMAT)


def order_info_text(text):
    """VNPay wants the order description without diacritics or special characters."""
    ascii_text = strip_diacritics(text)
    return "".join(ch if ch.isalnum() or ch in " .-" else " " for ch in ascii_text).strip()[:255]


def sandbox_enabled():
    return bool(settings.PAYMENT_SANDBOX_ENABLED)


class VNPayProvider:
    name = "vnpay"

    def __init__(self, *, tmn_code, hash_secret, payment_url):
        self.tmn_code = tmn_code
        self.hash_secret = hash_secret
        self.payment_url = payment_url

    @classmethod
    def from_settings(cls):
        payment_url = settings.VNPAY_PAYMENT_URL
        if not payment_url:
            if not sandbox_enabled():
                raise NotConfigured("VNPAY_PAYMENT_URL is empty and the sandbox gateway is disabled")
            payment_url = reverse("payments:sandbox")
        if not settings.VNPAY_TMN_CODE or not settings.VNPAY_HASH_SECRET:
            raise NotConfigured("VNPAY_TMN_CODE and VNPAY_HASH_SECRET must be set")
        return cls(tmn_code=settings.VNPAY_TMN_CODE, hash_secret=settings.VNPAY_HASH_SECRET,
                   payment_url=payment_url)

    def checkout_params(self, payment, *, return_url, client_ip, order_info, created_at=None):
        """The order's parameters, unsigned (``checkout_url`` signs them)."""
        created_at = created_at or timezone.now()
        return {
            "vnp_Version": VERSION,
            "vnp_Command": "pay",
            "vnp_TmnCode": self.tmn_code,
            "vnp_Amount": str(payment.amount * 100),
            "vnp_CurrCode": "VND",
            "vnp_TxnRef": payment.reference,
            "vnp_OrderInfo": order_info_text(order_info),
            "vnp_OrderType": "other",
            "vnp_Locale": "vn",
            "vnp_ReturnUrl": return_url,
            "vnp_IpAddr": client_ip or "127.0.0.1",
            "vnp_CreateDate": gateway_time(created_at),
            "vnp_ExpireDate": gateway_time(created_at + timedelta(minutes=EXPIRE_MINUTES)),
        }

    def checkout_url(self, payment, **kwargs):
        """The gateway address the citizen is redirected to, with the signed order."""
        separator = "&" if "?" in self.payment_url else "?"
        return f"{self.payment_url}{separator}{signed_query(self.checkout_params(payment, **kwargs), self.hash_secret)}"

    def parse_notification(self, params):
        """Read a gateway answer (IPN or return); raises ``InvalidSignature`` or ``MalformedNotification``."""
        params = {key: str(value) for key, value in params.items()}
        if not verify(params, self.hash_secret):
            raise InvalidSignature(params.get("vnp_TxnRef", ""))
        if params.get("vnp_TmnCode") != self.tmn_code:
            raise InvalidSignature("another merchant's answer")
        reference = params.get("vnp_TxnRef", "")
        try:
            amount_x100 = int(params["vnp_Amount"])
        except (KeyError, ValueError):
            raise MalformedNotification("vnp_Amount missing or not a number") from None
        response_code = params.get("vnp_ResponseCode", "")
        transaction_status = params.get("vnp_TransactionStatus", response_code)
        if response_code == RESPONSE_SUCCESS and transaction_status == RESPONSE_SUCCESS:
            outcome = Outcome.PAID
        elif response_code == RESPONSE_CANCELLED:
            outcome = Outcome.CANCELLED
        else:
            outcome = Outcome.FAILED
        # An amount that is not a whole number of đồng can match no order: -1 never equals one.
        amount = amount_x100 // 100 if amount_x100 % 100 == 0 else -1
        return Notification(
            reference=reference, amount=amount, outcome=outcome, response_code=response_code,
            transaction_no=params.get("vnp_TransactionNo", ""), bank_code=params.get("vnp_BankCode", ""),
            raw=params,
        )
