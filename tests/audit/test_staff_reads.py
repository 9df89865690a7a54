"""The audit trail of staff reads beyond the dossier page (issue 17): printed slips and receipts (HTML
and PDF), the tracking log, and list exports (CSV, XLSX) with what was exported."""

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditAction, AuditEntry
from dossiers import services
from dossiers.workflow import DossierStatus
from payments.models import Payment, PaymentStatus
from tests.backoffice.helpers import agency_with_procedure, clerk, filed, leader

pytestmark = pytest.mark.django_db
BASE = "/quan-tri/dossiers/dossier"


@pytest.fixture
def ward():
    agency, procedure = agency_with_procedure(name="Đăng ký khai sinh")
    return {"agency": agency, "procedure": procedure, "clerk": clerk(agency, username="canbo.in"),
            "leader": leader(agency, username="lanhdao.doc")}


def _received(ward, **fields):
    dossier = filed(ward["procedure"], ward["agency"], **fields)
    services.receive_dossier(dossier=dossier, actor=ward["leader"])
    dossier.refresh_from_db()
    return dossier


def test_a_slip_printed_as_html_and_as_pdf_is_recorded(client, ward):
    dossier = _received(ward, applicant_name="Nguyễn Thị Hoa")
    client.force_login(ward["clerk"])
    assert client.get(f"{BASE}/{dossier.pk}/phieu/tiep-nhan/", REMOTE_ADDR="198.51.100.9").status_code == 200
    assert client.get(f"{BASE}/{dossier.pk}/phieu/tiep-nhan/pdf/").status_code == 200
    entries = list(AuditEntry.objects.filter(action=AuditAction.PRINT).order_by("at", "id"))
    assert [entry.changes["format"] for entry in entries] == ["html", "pdf"]
    for entry in entries:
        assert entry.actor_username == "canbo.in" and entry.agency_id == ward["agency"].pk
        assert entry.content_type.model == "dossier" and entry.object_id == str(dossier.pk)
        assert entry.detail.startswith("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    assert entries[0].ip_address == "198.51.100.9"
    # A slip refused (not in the history) records nothing.
    assert client.get(f"{BASE}/{dossier.pk}/phieu/tu-choi/").status_code == 404
    assert AuditEntry.objects.filter(action=AuditAction.PRINT).count() == 2


def test_the_tracking_log_is_recorded_with_its_rows(client, ward):
    for _ in range(3):
        filed(ward["procedure"], ward["agency"])
    client.force_login(ward["clerk"])
    today = timezone.localdate().isoformat()
    assert client.get(f"{BASE}/so-theo-doi/", {"tu_ngay": today, "den_ngay": today}).status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.PRINT)
    assert entry.changes["rows"] == 3 and entry.agency_id == ward["agency"].pk
    assert f"tu_ngay={today}" in entry.changes["filters"]


def test_a_payment_receipt_shown_in_the_back_office_is_recorded(client, ward):
    dossier = _received(ward)
    payment = Payment.objects.create(dossier=dossier, provider="in_person", reference="TT-1", amount=8000,
                                     status=PaymentStatus.PAID, paid_at=timezone.now(), receipt_number="0004567")
    client.force_login(ward["leader"])
    assert client.get(reverse("admin:payments_payment_receipt", args=[payment.pk])).status_code == 200
    entry = AuditEntry.objects.get(action=AuditAction.PRINT)
    assert entry.object_id == str(dossier.pk) and "0004567" in entry.detail
    assert entry.actor_username == "lanhdao.doc"


def test_exports_are_recorded_per_agency_with_format_filters_and_rows(client, ward):
    other_agency, other_procedure = agency_with_procedure()
    for _ in range(2):
        filed(ward["procedure"], ward["agency"], status=DossierStatus.REFUSED)
    filed(ward["procedure"], ward["agency"], status=DossierStatus.REGISTERED)
    filed(other_procedure, other_agency, status=DossierStatus.REFUSED)
    client.force_login(ward["clerk"])

    assert client.get(f"{BASE}/xuat/csv/", {"status__exact": "refused"}).status_code == 200
    assert client.get(f"{BASE}/xuat/xlsx/", {"viec": "tat-ca"}).status_code == 200
    csv_entry, xlsx_entry = AuditEntry.objects.filter(action=AuditAction.EXPORT).order_by("at", "id")
    assert csv_entry.changes == {"format": "csv", "rows": 2, "total_rows": 2, "filters": "status__exact=refused"}
    assert xlsx_entry.changes["format"] == "xlsx" and xlsx_entry.changes["rows"] == 3
    assert csv_entry.agency_id == ward["agency"].pk and csv_entry.actor_username == "canbo.in"
    assert csv_entry.detail == "Xuất CSV: 2 hồ sơ; bộ lọc: status__exact=refused"

    # A superuser's export spanning two agencies: one entry per agency, each agency's rows.
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="quantri.xuat", is_superuser=True))
    assert client.get(f"{BASE}/xuat/csv/", {"status__exact": "refused"}).status_code == 200
    spanning = AuditEntry.objects.filter(action=AuditAction.EXPORT, actor_username="quantri.xuat")
    assert {entry.agency_id: entry.changes["rows"] for entry in spanning} == {ward["agency"].pk: 2,
                                                                              other_agency.pk: 1}
    assert {entry.changes["total_rows"] for entry in spanning} == {3}

    # The agency's leader reads them in the audit list, the other agency's entry is not theirs.
    client.force_login(ward["leader"])
    page = client.get("/quan-tri/audit/auditentry/", {"action__exact": "export"})
    assert page.status_code == 200
    shown = list(page.context["cl"].result_list)
    assert len(shown) == 3 and {entry.agency_id for entry in shown} == {ward["agency"].pk}
    assert "Xuất CSV: 2 hồ sơ; bộ lọc: status__exact=refused" in page.content.decode()
    assert "Xuất danh sách" in page.content.decode()
