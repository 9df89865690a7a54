"""The VNPay-style protocol: signatures against known vectors, and reading the gateway's answers."""

from datetime import datetime
from urllib.parse import parse_qsl, urlsplit
from zoneinfo import ZoneInfo

import pytest

from payments.models import Payment
from payments.providers import Outcome, get_provider
from payments.providers.vnpay import (
    InvalidSignature,
    MalformedNotification,
    VNPayProvider,
    canonical_query,
    sign,
    verify,
)

from .conftest import SECRET, gateway_answer

# An order as the portal sends it, and its signature: computed once (and checked with
# `openssl dgst -sha512 -hmac`), kept here so that a change of the algorithm shows.
ORDER = {
    "vnp_Version": "2.1.0", "vnp_Command": "pay", "vnp_TmnCode": "SANDBOX1", "vnp_Amount": "5000000",
    "vnp_CurrCode": "VND", "vnp_TxnRef": "260115ABCDEF0123",
    "vnp_OrderInfo": "Thanh toan phi ho so 000.00.12.H26-260115-0001", "vnp_OrderType": "other",
    "vnp_Locale": "vn", "vnp_ReturnUrl": "http://127.0.0.1:8000/thanh-toan/vnpay/ket-qua/",
    "vnp_IpAddr": "127.0.0.1", "vnp_CreateDate": "20260115093000", "vnp_ExpireDate": "20260115094500",
}
ORDER_QUERY = (
    "vnp_Amount=5000000&vnp_Command=pay&vnp_CreateDate=20260115093000&vnp_CurrCode=VND"
    "&vnp_ExpireDate=20260115094500&vnp_IpAddr=127.0.0.1&vnp_Locale=vn"
    "&vnp_OrderInfo=Thanh+toan+phi+ho+so+000.00.12.H26-260115-0001&vnp_OrderType=other"
    "&vnp_ReturnUrl=http%3A%2F%2F127.0.0.1%3A8000%2Fthanh-toan%2Fvnpay%2Fket-qua%2F"
    "&vnp_TmnCode=SANDBOX1&vnp_TxnRef=260115ABCDEF0123&vnp_Version=2.1.0"
)
ORDER_HASH = ("88ea9b9895367bac4f3ef1be3c523fe2e15cd915804da634c7ba3e9c2786ec66"
              "0ea690de0e8afb764d3c16254d6950c3fcee324a260636a648990db290e5ab12")

# The gateway's answer (IPN / return) for that order, and its signature.
ANSWER = {
    "vnp_TmnCode": "SANDBOX1", "vnp_Amount": "5000000", "vnp_TxnRef": "260115ABCDEF0123",
    "vnp_OrderInfo": "Thanh toan phi ho so 000.00.12.H26-260115-0001", "vnp_BankCode": "NCB",
    "vnp_CardType": "ATM", "vnp_PayDate": "20260115093512", "vnp_ResponseCode": "00",
    "vnp_TransactionNo": "14226112", "vnp_TransactionStatus": "00", "vnp_BankTranNo": "VNP14226112",
}
ANSWER_HASH = ("19ec0569054ebe86262ff04ec31c06e1b55355d78ffb07b0300046082ded12df"
               "590d22ebfb31e29b3ccc146f11991e32f909da00b9212e10f40dc7257c500a20")


def test_canonical_query_sorts_and_url_encodes():
    assert canonical_query(ORDER) == ORDER_QUERY


def test_signature_of_the_order_matches_the_known_vector():
    assert sign(ORDER, SECRET) == ORDER_HASH


def test_signature_of_the_answer_matches_the_known_vector_and_verifies():
    assert sign(ANSWER, SECRET) == ANSWER_HASH
    assert verify({**ANSWER, "vnp_SecureHash": ANSWER_HASH, "vnp_SecureHashType": "HmacSHA512"}, SECRET)
    # Hex case does not matter (some gateways send upper case).
    assert verify({**ANSWER, "vnp_SecureHash": ANSWER_HASH.upper()}, SECRET)


def test_parameters_other_than_vnp_are_not_signed():
    assert sign({**ANSWER, "utm_source": "sms"}, SECRET) == ANSWER_HASH


@pytest.mark.parametrize("field, value", [
    ("vnp_Amount", "500000000"), ("vnp_TxnRef", "260115ABCDEF0124"), ("vnp_ResponseCode", "24"),
    ("vnp_TmnCode", "OTHER001"),
])
def test_a_tampered_parameter_breaks_the_signature(field, value):
    assert not verify({**ANSWER, field: value, "vnp_SecureHash": ANSWER_HASH}, SECRET)


def test_a_missing_signature_or_another_secret_does_not_verify():
    assert not verify(ANSWER, SECRET)
    assert not verify({**ANSWER, "vnp_SecureHash": ANSWER_HASH}, "another-merchant-secret")
    assert not verify({**ANSWER, "vnp_SecureHash": ANSWER_HASH}, "")


def test_the_provider_builds_a_signed_order_for_the_sandbox(awaiting_dossier):
    payment = Payment.objects.create(dossier=awaiting_dossier, provider="vnpay", reference="260115ABCDEF0123",
                                     amount=50000)
    provider = get_provider()
    created = datetime(2026, 1, 15, 2, 30, tzinfo=ZoneInfo("UTC"))  # 09:30 in Vietnam
    url = provider.checkout_url(payment, return_url="http://127.0.0.1:8000/thanh-toan/vnpay/ket-qua/",
                                client_ip="127.0.0.1", order_info="Thanh toán phí hồ sơ 000.00.12.H26-260115-0001",
                                created_at=created)
    parts = urlsplit(url)
    assert parts.path == "/thanh-toan/sandbox/"
    params = dict(parse_qsl(parts.query))
    assert {key: value for key, value in params.items() if key != "vnp_SecureHash"} == ORDER
    assert params["vnp_SecureHash"] == ORDER_HASH


def test_a_real_gateway_is_chosen_by_settings_alone(settings):
    settings.VNPAY_PAYMENT_URL = "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    settings.PAYMENT_SANDBOX_ENABLED = False
    assert get_provider().payment_url == "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"


def test_without_a_gateway_the_provider_is_not_configured(settings):
    from payments.providers import NotConfigured

    settings.PAYMENT_SANDBOX_ENABLED = False
    with pytest.raises(NotConfigured):
        get_provider()


def test_reading_answers():
    provider = VNPayProvider(tmn_code="SANDBOX1", hash_secret=SECRET, payment_url="/x/")
    payment = Payment(reference="REF1", amount=50000)
    paid = provider.parse_notification(gateway_answer(payment))
    assert (paid.outcome, paid.amount, paid.reference, paid.transaction_no) == (Outcome.PAID, 50000, "REF1", "14226112")
    assert provider.parse_notification(gateway_answer(payment, code="24")).outcome is Outcome.CANCELLED
    assert provider.parse_notification(gateway_answer(payment, code="51")).outcome is Outcome.FAILED
    # Success code but a transaction status other than 00 is not a payment.
    assert provider.parse_notification(
        gateway_answer(payment, vnp_TransactionStatus="01")).outcome is Outcome.FAILED
    with pytest.raises(InvalidSignature):
        provider.parse_notification({**gateway_answer(payment), "vnp_Amount": "1"})
    with pytest.raises(MalformedNotification):
        provider.parse_notification(gateway_answer(payment, vnp_Amount="abc"))
    # An amount that is not whole đồng matches no order.
    assert provider.parse_notification(gateway_answer(payment, vnp_Amount="5000050")).amount == -1
