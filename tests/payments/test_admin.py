"""The back office's payment pages: the scoped list, the reconciliation, the receipt, in-person payments."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from dossiers.workflow import DossierStatus
from payments import services
from payments.models import Payment, PaymentStatus
from tests.factories import AgencyFactory, DossierFactory, ProcedureFactory, UserFactory

from .conftest import make_clerk

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def paid(dossier, amount, at, provider="vnpay"):
    return Payment.objects.create(dossier=dossier, provider=provider, reference=services.new_reference(),
                                  amount=amount, status=PaymentStatus.PAID, paid_at=at)


@pytest.fixture
def other_agency():
    return AgencyFactory(name="UBND phường Khác")


@pytest.fixture
def other_dossier(other_agency):
    procedure = ProcedureFactory(service_level=4, agencies=[other_agency])
    return DossierFactory(procedure=procedure, status=DossierStatus.AWAITING_PAYMENT, fee_amount=30000)


def test_a_clerk_sees_only_the_payments_of_their_agencies(client, clerk, awaiting_dossier, other_dossier):
    mine = paid(awaiting_dossier, 50000, timezone.now())
    theirs = paid(other_dossier, 30000, timezone.now())
    client.force_login(clerk)
    page = client.get(reverse("admin:payments_payment_changelist")).content.decode()
    assert mine.reference in page and theirs.reference not in page
    assert "Đối soát theo ngày" in page and "Ghi nhận thu phí trực tiếp" in page
    assert client.get(reverse("admin:payments_payment_change", args=[mine.pk])).status_code == 200
    assert client.get(reverse("admin:payments_payment_change", args=[theirs.pk])).status_code == 302  # not found
    assert client.get(reverse("admin:payments_payment_receipt", args=[theirs.pk])).status_code == 404
    search = client.get(reverse("admin:payments_payment_changelist"), {"q": other_dossier.code}).content.decode()
    assert theirs.reference not in search


def test_the_list_filters(client, clerk, awaiting_dossier):
    done = paid(awaiting_dossier, 50000, timezone.now())
    stale = Payment.objects.create(dossier=awaiting_dossier, provider="vnpay", reference="STALE1", amount=50000,
                                   created_at=timezone.now() - timedelta(hours=2))
    client.force_login(clerk)
    url = reverse("admin:payments_payment_changelist")
    by_status = client.get(url, {"status__exact": "paid"}).content.decode()
    assert done.reference in by_status and stale.reference not in by_status
    too_long = client.get(url, {"stale": "1"}).content.decode()
    assert stale.reference in too_long and done.reference not in too_long
    by_agency = client.get(url, {"agency": awaiting_dossier.agency_id}).content.decode()
    assert done.reference in by_agency


def test_the_daily_reconciliation(client, clerk, agency, awaiting_dossier, other_dossier):
    second = DossierFactory(procedure=awaiting_dossier.procedure, fee_amount=50000)
    third = DossierFactory(procedure=awaiting_dossier.procedure, fee_amount=8000)
    today = timezone.localdate()
    at = datetime(today.year, today.month, today.day, 9, 0, tzinfo=VN)
    paid(awaiting_dossier, 50000, at)
    paid(second, 50000, at + timedelta(hours=2))
    paid(third, 8000, at, provider="in_person")
    # 23:30 yesterday in Vietnam (16:30 UTC): counted yesterday, not today.
    late = DossierFactory(procedure=awaiting_dossier.procedure, fee_amount=20000)
    paid(late, 20000, datetime(today.year, today.month, today.day, 23, 30, tzinfo=VN) - timedelta(days=1))
    paid(other_dossier, 30000, at)  # another agency: not this clerk's
    Payment.objects.create(dossier=awaiting_dossier, provider="vnpay", reference="OLD1", amount=50000,
                           created_at=timezone.now() - timedelta(hours=3))
    Payment.objects.create(dossier=awaiting_dossier, provider="vnpay", reference="NEW1", amount=50000)
    client.force_login(clerk)
    response = client.get(reverse("admin:payments_payment_reconciliation"))
    assert response.status_code == 200
    rows = {(row["day"], row["provider"]): (row["count"], row["total"]) for row in response.context["rows"]}
    assert rows == {
        (today, "vnpay"): (2, 100000),
        (today, "in_person"): (1, 8000),
        (today - timedelta(days=1), "vnpay"): (1, 20000),
    }
    assert {row["dossier__agency__name"] for row in response.context["rows"]} == {agency.name}
    assert response.context["grand_total"] == 128000
    page = response.content.decode()
    assert "128.000" in page
    assert "OLD1" in page and "NEW1" not in page  # only attempts pending too long
    only_today = client.get(reverse("admin:payments_payment_reconciliation"),
                            {"tu": today.isoformat(), "den": today.isoformat()})
    assert only_today.context["grand_total"] == 108000


def test_a_superuser_reconciles_every_agency(client, awaiting_dossier, other_dossier):
    paid(awaiting_dossier, 50000, timezone.now())
    paid(other_dossier, 30000, timezone.now())
    client.force_login(UserFactory(username="quantri", is_superuser=True))
    assert client.get(reverse("admin:payments_payment_reconciliation")).context["grand_total"] == 80000


def test_reconciliation_needs_its_permission(client, agency):
    viewer = make_clerk(agency, "payments.view_payment")
    client.force_login(viewer)
    assert client.get(reverse("admin:payments_payment_reconciliation")).status_code == 403
    assert client.get(reverse("admin:payments_payment_in_person")).status_code == 403


def test_recording_an_in_person_payment_in_the_admin(client, clerk, agency, other_dossier):
    procedure = ProcedureFactory(service_level=3, agencies=[agency])
    dossier = DossierFactory(procedure=procedure, status=DossierStatus.REGISTERED, fee_amount=8000)
    client.force_login(clerk)
    url = reverse("admin:payments_payment_in_person")
    form = client.get(url, {"ma": dossier.code})
    assert form.context["form"].initial == {"dossier_code": dossier.code, "amount": 8000}
    response = client.post(url, {"dossier_code": f"  {dossier.code.lower()} ", "receipt_number": "0004567",
                                 "amount": "8000", "note": "Nộp tiền mặt"})
    payment = dossier.payments.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:payments_payment_change", args=[payment.pk])
    assert (payment.receipt_number, payment.recorded_by, payment.status) == ("0004567", clerk, PaymentStatus.PAID)
    # Again for the same dossier: refused with the reason on the form.
    again = client.post(url, {"dossier_code": dossier.code, "receipt_number": "0004568", "amount": "8000"})
    assert "đã được thanh toán" in again.content.decode()
    # Another agency's dossier is not found for this clerk.
    foreign = client.post(url, {"dossier_code": other_dossier.code, "receipt_number": "0004569", "amount": "30000"})
    assert "Không tìm thấy hồ sơ" in foreign.content.decode()
    assert not other_dossier.payments.exists()
    # Its receipt, printable from the back office.
    receipt = client.get(reverse("admin:payments_payment_receipt", args=[payment.pk])).content.decode()
    assert "BIÊN LAI THU PHÍ, LỆ PHÍ" in receipt and "0004567" in receipt and "Tám nghìn đồng" in receipt


def test_refund_action(client, clerk, awaiting_dossier):
    flagged = Payment.objects.create(dossier=awaiting_dossier, provider="vnpay", reference="R1", amount=50000,
                                     status=PaymentStatus.CANCELLED, needs_refund=True)
    pending = Payment.objects.create(dossier=awaiting_dossier, provider="vnpay", reference="R2", amount=50000)
    client.force_login(clerk)
    client.post(reverse("admin:payments_payment_changelist"),
                {"action": "mark_refunded_action", "_selected_action": [flagged.pk, pending.pk]})
    flagged.refresh_from_db()
    pending.refresh_from_db()
    assert flagged.status == PaymentStatus.REFUNDED and not flagged.needs_refund
    assert pending.status == PaymentStatus.PENDING
    assert awaiting_dossier.events.filter(action="payment_refunded").count() == 1
    client.post(reverse("admin:payments_payment_changelist"),
                {"action": "cancel_pending_action", "_selected_action": [pending.pk]})
    pending.refresh_from_db()
    assert pending.status == PaymentStatus.CANCELLED
