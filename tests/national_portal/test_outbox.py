"""The sync's outbox: written in the transaction of the change, the national JSON, sent in order once."""

import re

import pytest
from django.db import transaction

from dossiers import services as dossier_services
from national_portal import sending, services
from national_portal.models import SyncMessage, SyncService, SyncStatus

from .helpers import clerk_of, file_dossier, through_to_returned

pytestmark = pytest.mark.django_db

NATIONAL_TIME = re.compile(r"^\d{14}$")


def test_nothing_is_written_while_the_sync_is_not_configured(settings):
    settings.NATIONAL_PORTAL_URL = ""
    through_to_returned(file_dossier())
    assert not SyncMessage.objects.exists()


def test_a_new_dossier_and_each_step_write_one_row(sync_enabled):
    dossier = file_dossier()
    through_to_returned(dossier)
    rows = list(SyncMessage.objects.filter(dossier=dossier).order_by("id"))
    assert [row.service for row in rows] == [SyncService.DOSSIER] + [SyncService.PROGRESS] * 4
    assert [row.payload.get("TrangThai") for row in rows[1:]] == ["2", "4", "9", "10"]
    first = rows[0].payload
    assert first["MaHoSo"] == dossier.code and first["MaTTHC"] == dossier.procedure.code
    assert first["TenTTHC"] == dossier.procedure.name and first["MaLinhVuc"] == "ho-tich"
    assert first["ChuHoSo"] == "Nguyễn Văn An" and first["LoaiDoiTuong"] == "1"
    assert first["SoDienThoai"] == "+84912345678" and first["Email"] == "an.nguyen@example.com"
    assert first["TrangThaiHoSo"] == "1" and first["HinhThuc"] == "1"
    assert first["DonViXuLy"] == dossier.agency.name
    assert NATIONAL_TIME.match(first["NgayNopHoSo"]) and first["NgayTiepNhan"] == ""
    assert first["DanhSachLePhi"] == [{"TenPhiLePhi": "Lệ phí", "MucPhi": 50000}]
    receive = rows[1].payload
    assert receive["NguoiXuLy"] == "Lan Trần Thị" and receive["NoiDungXuLy"] == "Tiếp nhận"
    assert NATIONAL_TIME.match(receive["ThoiDiemXuLy"]) and NATIONAL_TIME.match(receive["NgayHenTra"])


def test_dates_are_in_vietnam_time(sync_enabled):
    import datetime

    dossier = file_dossier(submitted_at=datetime.datetime(2026, 3, 1, 17, 30, 5, tzinfo=datetime.UTC))
    assert SyncMessage.objects.get(dossier=dossier).payload["NgayNopHoSo"] == "20260302003005"


def test_a_rolled_back_change_writes_nothing(sync_enabled):
    dossier = file_dossier()
    clerk = clerk_of(dossier.agency)
    with pytest.raises(RuntimeError), transaction.atomic():
        dossier_services.receive_dossier(dossier=dossier, actor=clerk)
        raise RuntimeError("the clerk's request failed after the change")
    assert SyncMessage.objects.filter(dossier=dossier).count() == 1


def test_sent_in_order_once_with_credentials(sync_enabled, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        dossier = file_dossier()
        through_to_returned(dossier)
    calls = sync_enabled.calls_for(dossier.code)
    assert [call["service"] for call in calls] == ["DongBoHoSoMC"] + ["CapNhatTienDoHoSoMC"] * 4
    assert [call["data"][0].get("TrangThai") for call in calls[1:]] == ["2", "4", "9", "10"]
    assert all(call["credentials"] == "cong-hanoi:mat-khau-thu" and call["MaDonVi"] == "000.00.00.H26"
               for call in calls)
    assert len({call["IdGiaoDich"] for call in calls}) == 5
    assert set(SyncMessage.objects.values_list("status", flat=True)) == {SyncStatus.SENT}
    # Delivering again sends nothing more.
    assert sending.deliver_dossier(dossier.pk) == (0, None)
    assert len(sync_enabled.calls_for(dossier.code)) == 5


def test_a_refused_message_fails_and_holds_back_the_later_steps(sync_enabled, django_capture_on_commit_callbacks):
    sync_enabled.answer_next("400")
    with django_capture_on_commit_callbacks(execute=True):
        dossier = file_dossier()
        through_to_returned(dossier)
    # Only the first call went out; every later step waits behind it, failed, in order.
    assert len(sync_enabled.calls_for(dossier.code)) == 1
    rows = list(SyncMessage.objects.filter(dossier=dossier).order_by("id"))
    assert [row.status for row in rows] == [SyncStatus.FAILED] * 5
    assert "HTTP 400" in rows[0].last_error and f"#{rows[0].pk}" in rows[1].last_error
    assert sending.counts_by_status()["failed"] == 5
    with django_capture_on_commit_callbacks(execute=True):
        assert services.resend(rows[:1]) == 5
    calls = sync_enabled.calls_for(dossier.code)
    assert [call["service"] for call in calls] == ["DongBoHoSoMC"] * 2 + ["CapNhatTienDoHoSoMC"] * 4
    assert calls[0]["IdGiaoDich"] == calls[1]["IdGiaoDich"]
    assert set(SyncMessage.objects.values_list("status", flat=True)) == {SyncStatus.SENT}


def test_an_error_code_in_the_answer_is_a_failure(sync_enabled, django_capture_on_commit_callbacks):
    sync_enabled.answer_next("refuse")
    with django_capture_on_commit_callbacks(execute=True):
        dossier = file_dossier()
    row = SyncMessage.objects.get(dossier=dossier)
    assert row.status == SyncStatus.FAILED and "error_code 11" in row.last_error


def test_temporary_failures_back_off_then_end_failed(sync_enabled, settings, django_capture_on_commit_callbacks):
    settings.NATIONAL_PORTAL_MAX_ATTEMPTS = 3
    sync_enabled.answer_next("503")
    with django_capture_on_commit_callbacks(execute=True):
        dossier = file_dossier()
    row = SyncMessage.objects.get(dossier=dossier)
    assert (row.status, row.attempts) == (SyncStatus.PENDING, 1) and "HTTP 503" in row.last_error
    assert row.next_attempt_at > row.created_at
    # Not due yet: nothing is sent.
    assert sending.deliver_dossier(dossier.pk) == (0, None)
    assert len(sync_enabled.calls_for(dossier.code)) == 1
    sync_enabled.answer_next("500", "500")
    for _attempt in range(2):
        SyncMessage.objects.filter(pk=row.pk).update(next_attempt_at=row.created_at)
        sending.deliver_dossier(dossier.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (SyncStatus.FAILED, 3) and "sau 3 lần gửi" in row.last_error
    assert len(sync_enabled.calls_for(dossier.code)) == 3


def test_backoff_doubles_up_to_the_cap(settings):
    settings.NATIONAL_PORTAL_RETRY_BASE_SECONDS = 30
    settings.NATIONAL_PORTAL_RETRY_MAX_SECONDS = 3600
    assert [sending.retry_delay(n) for n in (1, 2, 3, 8)] == [30, 60, 120, 3600]


def test_anonymising_a_dossier_blanks_the_applicant_in_its_payloads(sync_enabled, settings, tmp_path,
                                                                    django_capture_on_commit_callbacks):
    from retention.services import anonymise_dossier

    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}
    with django_capture_on_commit_callbacks(execute=True):
        dossier = file_dossier()
        through_to_returned(dossier)
        anonymise_dossier(dossier)
    registration = SyncMessage.objects.get(dossier=dossier, service=SyncService.DOSSIER).payload
    assert (registration["ChuHoSo"], registration["SoDienThoai"], registration["Email"], registration["MaDoiTuong"]) \
        == ("", "", "", "")
    assert registration["MaHoSo"] == dossier.code and registration["MaTTHC"] == dossier.procedure.code
    # The anonymisation is not a step for the national portal.
    assert SyncMessage.objects.filter(dossier=dossier).count() == 5
