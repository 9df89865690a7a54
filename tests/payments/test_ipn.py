"""The IPN endpoint: its response codes, its idempotency, and what a payment event writes."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from dossiers.models import DossierEvent
from dossiers.workflow import DossierStatus, Event
from notifications.models import Notification
from payments import services
from payments.models import Payment, PaymentStatus

from .conftest import gateway_answer

IPN = reverse("payments:vnpay_ipn")


@pytest.fixture
def payment(awaiting_dossier):
    payment, _url = services.start_online_payment(awaiting_dossier, return_url="http://testserver/r/",
                                                  client_ip="127.0.0.1")
    return payment


def ipn(client, params, method="get"):
    response = getattr(client, method)(IPN, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_a_successful_payment_is_confirmed_and_moves_the_dossier(client, payment):
    assert ipn(client, gateway_answer(payment)) == {"RspCode": "00", "Message": "Confirm Success"}
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PAID
    assert payment.paid_at is not None
    assert payment.provider_transaction_no == "14226112"
    assert payment.bank_code == "NCB"
    assert payment.raw_responses[-1]["source"] == "ipn"
    assert payment.raw_responses[-1]["data"]["vnp_TxnRef"] == payment.reference
    dossier = payment.dossier
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.REGISTERED
    event = dossier.events.get(action="confirm_payment")
    assert (event.from_status, event.to_status, event.actor_kind) == (
        DossierStatus.AWAITING_PAYMENT, DossierStatus.REGISTERED, "system")
    assert "50.000 đồng" in event.public_note
    messages = Notification.objects.filter(dossier=dossier, event=Event.PAYMENT_CONFIRMED)
    assert sorted(messages.values_list("channel", flat=True)) == ["email", "sms"]
    context = messages.first().context
    assert context["amount"] == 50000 and context["reference"] == payment.reference
    assert "/thanh-toan/" in context["receipt_url"] and context["receipt_url"].endswith("/bien-lai/")


def test_the_ipn_also_accepts_post(client, payment):
    assert ipn(client, gateway_answer(payment), method="post")["RspCode"] == "00"


def test_a_repeated_ipn_changes_nothing_and_answers_already_confirmed(client, payment):
    answer = gateway_answer(payment)
    assert ipn(client, answer)["RspCode"] == "00"
    payment.refresh_from_db()
    snapshot = (payment.status, payment.paid_at, payment.updated_at, len(payment.raw_responses))
    counts = (DossierEvent.objects.count(), Notification.objects.count())
    for _ in range(2):
        assert ipn(client, answer) == {"RspCode": "02", "Message": "Order already confirmed"}
    # A late failure for the same, already paid, transaction changes nothing either.
    assert ipn(client, gateway_answer(payment, code="51"))["RspCode"] == "02"
    payment.refresh_from_db()
    assert (payment.status, payment.paid_at, payment.updated_at, len(payment.raw_responses)) == snapshot
    assert (DossierEvent.objects.count(), Notification.objects.count()) == counts


def test_a_tampered_answer_is_refused_with_97(client, payment):
    answer = gateway_answer(payment)
    answer["vnp_ResponseCode"] = "00"
    answer["vnp_Amount"] = "100"  # changed after signing
    assert ipn(client, answer) == {"RspCode": "97", "Message": "Invalid signature"}
    missing = gateway_answer(payment)
    del missing["vnp_SecureHash"]
    assert ipn(client, missing)["RspCode"] == "97"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING and payment.raw_responses == []


def test_an_answer_of_another_merchant_is_refused(client, payment):
    assert ipn(client, gateway_answer(payment, vnp_TmnCode="OTHER001"))["RspCode"] == "97"


def test_an_unknown_reference_answers_01(client, payment):
    payment.reference = "260101FFFFFFFFFF"  # not saved: the gateway speaks of an order we never made
    assert ipn(client, gateway_answer(payment)) == {"RspCode": "01", "Message": "Order not found"}


def test_a_wrong_amount_answers_04_and_pays_nothing(client, payment):
    assert ipn(client, gateway_answer(payment, amount=5000)) == {"RspCode": "04", "Message": "Invalid amount"}
    assert ipn(client, gateway_answer(payment, vnp_Amount="5000050"))["RspCode"] == "04"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    assert payment.dossier.status == DossierStatus.AWAITING_PAYMENT


def test_a_malformed_answer_answers_99(client, payment):
    assert ipn(client, gateway_answer(payment, vnp_Amount="năm mươi nghìn")) == {
        "RspCode": "99", "Message": "Unknown error"}


def test_a_failed_payment_is_recorded_and_the_citizen_told(client, payment):
    assert ipn(client, gateway_answer(payment, code="51"))["RspCode"] == "00"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED
    assert payment.raw_responses[-1]["data"]["vnp_ResponseCode"] == "51"
    dossier = payment.dossier
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.AWAITING_PAYMENT
    event = dossier.events.get(action="payment_failed")
    assert "51" in event.public_note
    messages = Notification.objects.filter(dossier=dossier, event=Event.PAYMENT_FAILED)
    assert messages.count() == 2
    assert "/thanh-toan/" in messages.first().context["payment_url"]
    assert messages.first().context["note"] == "mã lỗi 51"
    # Told once: the same failure again is "already confirmed".
    assert ipn(client, gateway_answer(payment, code="51"))["RspCode"] == "02"
    assert Notification.objects.filter(dossier=dossier, event=Event.PAYMENT_FAILED).count() == 2


def test_a_cancelled_payment_can_be_retried(client, payment):
    assert ipn(client, gateway_answer(payment, code="24"))["RspCode"] == "00"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.CANCELLED
    assert "hủy" in payment.dossier.events.get(action="payment_failed").public_note
    retry, _url = services.start_online_payment(payment.dossier, return_url="http://testserver/r/")
    assert retry.reference != payment.reference
    assert ipn(client, gateway_answer(retry))["RspCode"] == "00"
    retry.refresh_from_db()
    assert retry.status == PaymentStatus.PAID
    assert list(payment.dossier.payments.values_list("status", flat=True).order_by("created_at")) == [
        PaymentStatus.CANCELLED, PaymentStatus.PAID]


def test_a_new_attempt_is_refused_once_the_dossier_is_paid(client, payment):
    ipn(client, gateway_answer(payment))
    with pytest.raises(services.AlreadyPaid, match="đã được thanh toán"):
        services.start_online_payment(payment.dossier, return_url="http://testserver/r/")
    assert payment.dossier.payments.count() == 1


def test_two_attempts_both_confirmed_by_the_gateway_give_one_payment_and_one_refund(client, awaiting_dossier):
    first, _ = services.start_online_payment(awaiting_dossier, return_url="http://testserver/r/")
    second, _ = services.start_online_payment(awaiting_dossier, return_url="http://testserver/r/")
    assert ipn(client, gateway_answer(second))["RspCode"] == "00"
    assert ipn(client, gateway_answer(first)) == {"RspCode": "02", "Message": "Order already confirmed"}
    first.refresh_from_db()
    second.refresh_from_db()
    assert second.status == PaymentStatus.PAID
    assert first.status == PaymentStatus.CANCELLED and first.needs_refund
    assert awaiting_dossier.payments.filter(status=PaymentStatus.PAID).count() == 1
    assert awaiting_dossier.events.filter(action="confirm_payment").count() == 1
    assert "cần hoàn tiền" in awaiting_dossier.events.get(action="payment_refund_due").internal_note
    assert Notification.objects.filter(event=Event.PAYMENT_CONFIRMED).count() == 2  # SMS + email, once


def test_the_database_refuses_a_second_paid_payment_for_a_dossier(awaiting_dossier):
    now = timezone.now()
    Payment.objects.create(dossier=awaiting_dossier, provider="vnpay", reference="A1", amount=50000,
                           status=PaymentStatus.PAID, paid_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(dossier=awaiting_dossier, provider="in_person", reference="A2", amount=50000,
                               status=PaymentStatus.PAID, paid_at=now)
    # Failed and cancelled attempts are not limited.
    Payment.objects.create(dossier=awaiting_dossier, provider="vnpay", reference="A3", amount=50000,
                           status=PaymentStatus.FAILED)
    Payment.objects.create(dossier=awaiting_dossier, provider="vnpay", reference="A4", amount=50000,
                           status=PaymentStatus.FAILED)


def test_a_late_success_for_a_closed_attempt_is_flagged_for_refund(client, payment):
    ipn(client, gateway_answer(payment, code="51"))
    assert ipn(client, gateway_answer(payment))["RspCode"] == "02"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED and payment.needs_refund
    assert payment.dossier.status == DossierStatus.AWAITING_PAYMENT


def test_payment_is_refused_when_the_dossier_does_not_await_it(level4_procedure):
    from tests.factories import DossierFactory

    dossier = DossierFactory(procedure=level4_procedure, status=DossierStatus.REGISTERED, fee_amount=50000)
    with pytest.raises(services.NotAwaitingPayment):
        services.start_online_payment(dossier, return_url="http://testserver/r/")
    assert not dossier.payments.exists()
