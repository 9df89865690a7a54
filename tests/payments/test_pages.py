"""The citizen's pages: the payment link, the sandbox gateway, the return page, the receipt."""

from urllib.parse import parse_qsl, urlsplit

import pytest
from django.urls import reverse

from dossiers.links import PAYMENT, make_token, payment_url
from dossiers.workflow import DossierStatus
from payments import services
from payments.models import PaymentStatus
from payments.providers.vnpay import sign

from .conftest import SECRET, gateway_answer


def path_of(url):
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path


@pytest.fixture
def pay_path(awaiting_dossier):
    return urlsplit(payment_url(awaiting_dossier)).path


def start(client, pay_path):
    """Press "Thanh toán trực tuyến": the portal redirects to the gateway with the signed order."""
    response = client.post(pay_path)
    assert response.status_code == 302
    return response["Location"]


def test_the_payment_link_shows_the_fee_and_the_button(client, awaiting_dossier, pay_path):
    page = client.get(pay_path).content.decode()
    assert awaiting_dossier.code in page
    assert "50.000" in page and "Lệ phí cấp bản sao trích lục" in page
    assert "Thanh toán trực tuyến" in page
    assert "Chờ thanh toán" in page


def test_a_forged_or_foreign_payment_link_is_404(client, awaiting_dossier, pay_path):
    assert client.get(pay_path[:-3] + "xx/").status_code == 404
    other_purpose = make_token("result", awaiting_dossier.pk)
    assert client.get(reverse("payments:pay", args=[other_purpose])).status_code == 404


def test_starting_redirects_to_the_sandbox_with_a_signed_order(client, awaiting_dossier, pay_path):
    location = start(client, pay_path)
    parts = urlsplit(location)
    assert parts.path == reverse("payments:sandbox")
    params = dict(parse_qsl(parts.query))
    payment = awaiting_dossier.payments.get()
    assert params["vnp_TxnRef"] == payment.reference
    assert params["vnp_Amount"] == "5000000"
    assert params["vnp_ReturnUrl"] == "http://testserver" + reverse("payments:vnpay_return")
    assert params["vnp_OrderInfo"] == f"Thanh toan phi ho so {awaiting_dossier.code}"
    assert params["vnp_SecureHash"] == sign(params, SECRET)
    assert payment.status == PaymentStatus.PENDING and payment.client_ip == "127.0.0.1"


def test_the_sandbox_pays_sends_the_ipn_and_returns_the_citizen(client, awaiting_dossier, pay_path):
    location = start(client, pay_path)
    page = client.get(path_of(location)).content.decode()
    assert "50.000 VND" in page and "Thanh toán" in page and "Hủy" in page
    order = dict(parse_qsl(urlsplit(location).query))
    back = client.post(reverse("payments:sandbox"), {**order, "action": "pay"})
    assert back.status_code == 302
    assert urlsplit(back["Location"]).path == reverse("payments:vnpay_return")
    payment = awaiting_dossier.payments.get()
    assert payment.status == PaymentStatus.PAID  # the IPN came before the browser
    result = client.get(path_of(back["Location"]))
    assert "Thanh toán thành công" in result.content.decode()
    assert "Xem, in biên lai điện tử" in result.content.decode()
    awaiting_dossier.refresh_from_db()
    assert awaiting_dossier.status == DossierStatus.REGISTERED
    # The pay page now shows it paid, with the receipt, and no button.
    page = client.get(pay_path).content.decode()
    assert "Hồ sơ đã được thanh toán 50.000 đồng" in page and "Thanh toán trực tuyến</button>" not in page
    assert client.post(pay_path, follow=True).content.decode().count("không cần thanh toán lại") == 1


def test_cancelling_in_the_sandbox_lets_the_citizen_retry(client, awaiting_dossier, pay_path):
    location = start(client, pay_path)
    order = dict(parse_qsl(urlsplit(location).query))
    back = client.post(reverse("payments:sandbox"), {**order, "action": "cancel"})
    result = client.get(path_of(back["Location"])).content.decode()
    assert "Giao dịch đã bị hủy" in result and "thanh toán lại" in result
    assert awaiting_dossier.payments.get().status == PaymentStatus.CANCELLED
    page = client.get(pay_path).content.decode()
    assert "Thanh toán lại" in page and "Đã hủy" in page
    start(client, pay_path)
    assert awaiting_dossier.payments.count() == 2


def test_the_sandbox_refuses_an_order_that_is_not_signed(client, awaiting_dossier, pay_path):
    order = dict(parse_qsl(urlsplit(start(client, pay_path)).query))
    tampered = {**order, "vnp_Amount": "100"}
    assert client.get(reverse("payments:sandbox"), tampered).status_code == 400
    assert client.post(reverse("payments:sandbox"), {**tampered, "action": "pay"}).status_code == 400
    assert awaiting_dossier.payments.get().status == PaymentStatus.PENDING


def test_the_sandbox_does_not_exist_when_disabled(client, settings, awaiting_dossier, pay_path):
    order = dict(parse_qsl(urlsplit(start(client, pay_path)).query))
    settings.PAYMENT_SANDBOX_ENABLED = False
    assert client.get(reverse("payments:sandbox"), order).status_code == 404
    assert client.post(reverse("payments:sandbox"), {**order, "action": "pay"}).status_code == 404
    # Without a configured gateway the citizen is told, not sent anywhere.
    response = client.post(pay_path, follow=True)
    assert "chưa sẵn sàng" in response.content.decode()


def test_the_return_page_before_the_ipn_trusts_only_the_ipn(client, awaiting_dossier):
    payment, _url = services.start_online_payment(awaiting_dossier, return_url="http://testserver/r/")
    answer = gateway_answer(payment)  # the gateway says "paid" to the browser first
    page = client.get(reverse("payments:vnpay_return"), answer)
    assert page.status_code == 200
    text = page.content.decode()
    assert "đang chờ xác nhận" in text and '<meta http-equiv="refresh"' in text
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert [entry["source"] for entry in payment.raw_responses] == ["return"]
    awaiting_dossier.refresh_from_db()
    assert awaiting_dossier.status == DossierStatus.AWAITING_PAYMENT
    # Reloading does not pile up copies of the same answer.
    client.get(reverse("payments:vnpay_return"), answer)
    payment.refresh_from_db()
    assert len(payment.raw_responses) == 1
    # Then the IPN arrives; the same return address now shows the outcome.
    assert client.get(reverse("payments:vnpay_ipn"), answer).json()["RspCode"] == "00"
    assert "Thanh toán thành công" in client.get(reverse("payments:vnpay_return"), answer).content.decode()


def test_a_forged_return_is_refused(client, awaiting_dossier):
    payment, _url = services.start_online_payment(awaiting_dossier, return_url="http://testserver/r/")
    forged = {**gateway_answer(payment), "vnp_ResponseCode": "00", "vnp_Amount": "1"}
    response = client.get(reverse("payments:vnpay_return"), forged)
    assert response.status_code == 400
    assert "không hợp lệ" in response.content.decode()


def test_the_receipt(client, awaiting_dossier, pay_path):
    receipt = reverse("payments:receipt", args=[make_token(PAYMENT, awaiting_dossier.pk)])
    assert client.get(receipt).status_code == 404  # nothing paid yet
    payment, _url = services.start_online_payment(awaiting_dossier, return_url="http://testserver/r/")
    client.get(reverse("payments:vnpay_ipn"), gateway_answer(payment))
    page = client.get(receipt).content.decode()
    for expected in ("BIÊN LAI THU PHÍ, LỆ PHÍ ĐIỆN TỬ", awaiting_dossier.code, awaiting_dossier.applicant_name,
                     awaiting_dossier.agency.name.upper(), "50.000", "Năm mươi nghìn đồng", payment.reference,
                     "14226112", "Lệ phí cấp bản sao trích lục", "In biên lai"):
        assert expected in page, expected
