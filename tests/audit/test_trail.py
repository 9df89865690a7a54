"""The audit trail (issue 17): every change staff make in the back office (who, when, old → new) and
every view or download of a dossier's personal data, append-only, visible to the agency's leader
and superusers, exportable."""

import csv
import io

import pytest
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction

from audit.models import AppendOnly, AuditAction, AuditEntry
from dossiers.models import DossierFile, DossierFileKind
from tests.backoffice.helpers import PDF, agency_with_procedure, clerk, filed, leader
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

BASE = "/quan-tri/dossiers/dossier"


@pytest.fixture
def ward():
    agency, procedure = agency_with_procedure()
    return {"agency": agency, "procedure": procedure, "clerk": clerk(agency, username="canbo.lan")}


def _attachment(dossier):
    attachment = DossierFile(dossier=dossier, kind=DossierFileKind.APPLICATION, component_name="Giấy chứng sinh",
                             original_name="giay-chung-sinh.pdf", content_type="application/pdf", size=len(PDF))
    attachment.file.save("gcs.pdf", ContentFile(PDF), save=True)
    return attachment


def test_an_admin_change_is_recorded_with_who_when_old_and_new(client, ward):
    admin = UserFactory(username="quantri.catalogue", is_superuser=True)
    agency = ward["agency"]
    old_name = agency.name
    client.force_login(admin)
    form = client.get(f"/quan-tri/procedures/agency/{agency.pk}/change/").context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and not isinstance(value, list)}
    data.update({"name": "UBND phường Đổi Tên", "opening_hours": "7:30–17:00"})
    data["staff"] = [user.pk for user in agency.staff.all()]
    for key in [key for key, value in data.items() if hasattr(value, "pk")]:
        data[key] = data[key].pk
    response = client.post(f"/quan-tri/procedures/agency/{agency.pk}/change/", data, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else response
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, object_id=str(agency.pk),
                                   content_type__model="agency")
    assert entry.actor_username == "quantri.catalogue" and entry.actor_id == admin.pk
    assert entry.ip_address == "198.51.100.7"
    assert entry.changes["name"] == [old_name, "UBND phường Đổi Tên"]
    assert entry.changes["opening_hours"][1] == "7:30–17:00"
    assert entry.agency_id == agency.pk


def test_a_password_change_is_recorded_without_the_hash(client):
    admin = UserFactory(username="quantri.users", is_superuser=True)
    target = UserFactory(username="canbo.doimatkhau")
    client.force_login(admin)
    response = client.post(f"/quan-tri/auth/user/{target.pk}/password/",
                           {"password1": "mat-khau-moi-rat-dai-2026", "password2": "mat-khau-moi-rat-dai-2026",
                            "usable_password": "true"})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action=AuditAction.UPDATE, content_type__model="user", object_id=str(target.pk))
    assert entry.changes["password"] == ["••••••", "••••••"]
    target.refresh_from_db()
    assert target.password not in str(entry.changes)


def test_a_clerk_viewing_a_dossier_and_downloading_its_file_is_recorded(client, ward):
    dossier = filed(ward["procedure"], ward["agency"])
    attachment = _attachment(dossier)
    client.force_login(ward["clerk"])
    assert client.get(f"{BASE}/{dossier.pk}/change/").status_code == 200
    download = client.get(f"{BASE}/{dossier.pk}/tep/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    view, got = (AuditEntry.objects.get(action=AuditAction.VIEW, object_id=str(dossier.pk)),
                 AuditEntry.objects.get(action=AuditAction.DOWNLOAD, object_id=str(dossier.pk)))
    for entry in (view, got):
        assert entry.actor_username == "canbo.lan"
        assert entry.agency_id == ward["agency"].pk
        assert entry.object_repr == str(dossier)
    assert got.detail == f"giay-chung-sinh.pdf (#{attachment.pk})"


def test_a_citizens_own_actions_are_not_staff_audit_entries(client):
    response = client.get("/tim-kiem/")
    assert response.status_code == 200
    assert not AuditEntry.objects.exists()


def test_entries_cannot_be_changed_or_deleted(ward):
    entry = AuditEntry.objects.create(action=AuditAction.VIEW, actor_username="x", object_repr="y")
    entry.object_repr = "sửa lại lịch sử"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()


def test_the_database_itself_refuses_updates_and_deletes(postgres):
    entry = AuditEntry.objects.create(action=AuditAction.VIEW, actor_username="x", object_repr="y")
    for statement in ("UPDATE audit_auditentry SET object_repr = 'z' WHERE id = %s",
                      "DELETE FROM audit_auditentry WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(statement, [entry.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="z")
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == "y"


def test_the_leader_sees_their_agencys_entries_only_and_clerks_none(client, ward):
    other_agency, _procedure = agency_with_procedure()
    AuditEntry.objects.create(action=AuditAction.VIEW, actor_username="a", object_repr="hồ sơ của phường này",
                              agency=ward["agency"])
    AuditEntry.objects.create(action=AuditAction.VIEW, actor_username="b", object_repr="hồ sơ phường khác",
                              agency=other_agency)
    boss = leader(ward["agency"], username="lanhdao.phuong")
    client.force_login(boss)
    page = client.get("/quan-tri/audit/auditentry/").content.decode()
    assert "hồ sơ của phường này" in page and "hồ sơ phường khác" not in page
    client.force_login(ward["clerk"])
    assert client.get("/quan-tri/audit/auditentry/").status_code == 403
    client.force_login(UserFactory(username="quantri.tong", is_superuser=True))
    page = client.get("/quan-tri/audit/auditentry/").content.decode()
    assert "hồ sơ của phường này" in page and "hồ sơ phường khác" in page


def test_nobody_adds_edits_or_deletes_entries_in_the_admin(client, ward):
    entry = AuditEntry.objects.create(action=AuditAction.VIEW, actor_username="a", object_repr="x",
                                      agency=ward["agency"])
    client.force_login(UserFactory(username="quantri.sieu", is_superuser=True))
    assert client.get("/quan-tri/audit/auditentry/add/").status_code == 403
    assert client.post(f"/quan-tri/audit/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    page = client.get(f"/quan-tri/audit/auditentry/{entry.pk}/change/").content.decode()
    assert 'name="_save"' not in page
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_entries_are_exported_as_csv(client, ward):
    dossier = filed(ward["procedure"], ward["agency"])
    client.force_login(ward["clerk"])
    client.get(f"{BASE}/{dossier.pk}/change/")
    boss = leader(ward["agency"], username="lanhdao.xuat")
    client.force_login(boss)
    ids = list(AuditEntry.objects.values_list("pk", flat=True))
    response = client.post("/quan-tri/audit/auditentry/", {"action": "export_csv", "_selected_action": ids})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:4] == ["thoi_diem", "nguoi_thuc_hien", "dia_chi_ip", "thao_tac"]
    assert any(row[1] == "canbo.lan" and row[3] == "Xem dữ liệu cá nhân" and row[6] == str(dossier) for row in rows[1:])
