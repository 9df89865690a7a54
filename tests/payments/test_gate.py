"""The payment gate on reception, the clerk's exemption, and payments at the one-stop shop."""

import pytest
from django.core.exceptions import PermissionDenied

from dossiers import services as dossier_services
from dossiers.workflow import DossierStatus, Event, TransitionNotAllowed
from notifications.models import Notification
from payments import services
from payments.models import PaymentProvider, PaymentStatus
from tests.factories import AgencyFactory, DossierFactory, ProcedureFactory

from .conftest import gateway_answer, make_clerk


def test_a_dossier_awaiting_payment_cannot_be_received(awaiting_dossier, clerk):
    with pytest.raises(TransitionNotAllowed):
        dossier_services.receive_dossier(dossier=awaiting_dossier, actor=clerk)
    with pytest.raises(TransitionNotAllowed):
        dossier_services.apply_transition(awaiting_dossier, "receive", actor=clerk)
    awaiting_dossier.refresh_from_db()
    assert awaiting_dossier.status == DossierStatus.AWAITING_PAYMENT
    assert not awaiting_dossier.events.exists()


def test_once_paid_it_can_be_received(client, awaiting_dossier, clerk):
    payment, _url = services.start_online_payment(awaiting_dossier, return_url="http://testserver/r/")
    client.get("/thanh-toan/vnpay/ipn/", gateway_answer(payment))
    awaiting_dossier.refresh_from_db()
    dossier_services.receive_dossier(dossier=awaiting_dossier, actor=clerk)
    awaiting_dossier.refresh_from_db()
    assert awaiting_dossier.status == DossierStatus.RECEIVED
    assert awaiting_dossier.appointment_date is not None


def test_an_exemption_needs_a_reason_and_opens_reception(awaiting_dossier, clerk):
    with pytest.raises(services.PaymentError, match="lý do"):
        services.exempt(awaiting_dossier, actor=clerk, reason="   ")
    pending, _url = services.start_online_payment(awaiting_dossier, return_url="http://testserver/r/")
    services.exempt(awaiting_dossier, actor=clerk, reason="Người có công với cách mạng, miễn lệ phí theo quy định.")
    awaiting_dossier.refresh_from_db()
    assert awaiting_dossier.status == DossierStatus.REGISTERED
    event = awaiting_dossier.events.get(action="exempt_payment")
    assert event.actor == clerk and "Người có công" in event.public_note
    assert Notification.objects.filter(dossier=awaiting_dossier, event=Event.PAYMENT_EXEMPTED).count() == 2
    pending.refresh_from_db()
    assert pending.status == PaymentStatus.CANCELLED
    dossier_services.receive_dossier(dossier=awaiting_dossier, actor=clerk)
    awaiting_dossier.refresh_from_db()
    assert awaiting_dossier.status == DossierStatus.RECEIVED


def test_money_arriving_after_an_exemption_is_flagged_for_refund(client, awaiting_dossier, clerk):
    pending, _url = services.start_online_payment(awaiting_dossier, return_url="http://testserver/r/")
    services.exempt(awaiting_dossier, actor=clerk, reason="Miễn lệ phí")
    assert client.get("/thanh-toan/vnpay/ipn/", gateway_answer(pending)).json()["RspCode"] == "02"
    pending.refresh_from_db()
    assert pending.needs_refund and pending.status == PaymentStatus.CANCELLED
    awaiting_dossier.refresh_from_db()
    assert awaiting_dossier.status == DossierStatus.REGISTERED


def test_no_exemption_for_a_paid_dossier_or_by_another_agency(client, awaiting_dossier, clerk):
    outsider = make_clerk(AgencyFactory(), "dossiers.process_dossier")
    with pytest.raises(PermissionDenied):
        services.exempt(awaiting_dossier, actor=outsider, reason="Miễn lệ phí")
    payment, _url = services.start_online_payment(awaiting_dossier, return_url="http://testserver/r/")
    client.get("/thanh-toan/vnpay/ipn/", gateway_answer(payment))
    with pytest.raises((services.AlreadyPaid, TransitionNotAllowed)):
        services.exempt(awaiting_dossier, actor=clerk, reason="Miễn lệ phí")
    assert not awaiting_dossier.events.filter(action="exempt_payment").exists()


@pytest.fixture
def level3_dossier(agency):
    procedure = ProcedureFactory(service_level=3, agencies=[agency])
    return DossierFactory(procedure=procedure, status=DossierStatus.REGISTERED, fee_name="Lệ phí", fee_amount=8000)


def test_a_level3_fee_paid_at_the_desk_is_recorded_with_its_receipt_number(level3_dossier, clerk):
    payment = services.record_in_person_payment(level3_dossier, actor=clerk, receipt_number="0001234")
    assert (payment.provider, payment.status, payment.amount, payment.receipt_number, payment.recorded_by) == (
        PaymentProvider.IN_PERSON, PaymentStatus.PAID, 8000, "0001234", clerk)
    level3_dossier.refresh_from_db()
    assert level3_dossier.status == DossierStatus.REGISTERED  # a payment does not change a level 3 dossier's state
    event = level3_dossier.events.get(action="record_payment")
    assert "biên lai số 0001234" in event.public_note and event.actor == clerk
    assert Notification.objects.filter(dossier=level3_dossier, event=Event.PAYMENT_CONFIRMED).count() == 2
    with pytest.raises(services.AlreadyPaid):
        services.record_in_person_payment(level3_dossier, actor=clerk, receipt_number="0001235")


def test_a_level4_walk_in_payment_opens_reception(awaiting_dossier, clerk):
    services.record_in_person_payment(awaiting_dossier, actor=clerk, receipt_number="BL-77", amount=50000)
    awaiting_dossier.refresh_from_db()
    assert awaiting_dossier.status == DossierStatus.REGISTERED
    assert awaiting_dossier.events.get(action="confirm_payment").actor == clerk


def test_in_person_payment_rules(level3_dossier, clerk, agency):
    with pytest.raises(services.PaymentError, match="số biên lai"):
        services.record_in_person_payment(level3_dossier, actor=clerk, receipt_number=" ")
    with pytest.raises(services.PaymentError, match="lớn hơn 0"):
        services.record_in_person_payment(level3_dossier, actor=clerk, receipt_number="1", amount=0)
    outsider = make_clerk(AgencyFactory(), "payments.record_in_person_payment")
    with pytest.raises(PermissionDenied):
        services.record_in_person_payment(level3_dossier, actor=outsider, receipt_number="1")
    services.record_in_person_payment(level3_dossier, actor=clerk, receipt_number="0009")
    other = DossierFactory(procedure=level3_dossier.procedure, status=DossierStatus.REGISTERED, fee_amount=8000)
    with pytest.raises(services.PaymentError, match="đã được dùng"):
        services.record_in_person_payment(other, actor=clerk, receipt_number="0009")
    withdrawn = DossierFactory(procedure=level3_dossier.procedure, status=DossierStatus.WITHDRAWN, fee_amount=8000)
    with pytest.raises(services.NotAwaitingPayment):
        services.record_in_person_payment(withdrawn, actor=clerk, receipt_number="0010")
