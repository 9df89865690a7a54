"""Large exports of the dossier list: keyset pages by primary key, the CSV streamed, the large XLSX built
by a real Celery worker into a private, expiring file only its clerk downloads."""

import csv
import io
import os
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from backoffice import exports
from backoffice.models import ExportFile, ExportStatus
from dossiers.workflow import DossierStatus
from tests.backoffice.helpers import agency_with_procedure, clerk, filed
from tests.fixtures.celery_worker import Worker, database_url, wait_until

BASE = "/quan-tri/dossiers/dossier"


def _ward(rows, status=DossierStatus.REFUSED):
    agency, procedure = agency_with_procedure()
    desk = clerk(agency)
    wanted = [filed(procedure, agency, status=status, applicant_name=f"Phạm Văn {n}") for n in range(rows)]
    filed(procedure, agency, status=DossierStatus.REGISTERED)             # filtered out
    other_agency, other_procedure = agency_with_procedure()
    filed(other_procedure, other_agency, status=status)                   # another agency's
    return desk, wanted


def _csv_rows(response):
    assert response.status_code == 200
    assert response.streaming and "no-store" in response["Cache-Control"]
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.django_db
def test_exports_read_keyset_pages_and_hold_exactly_the_scoped_filtered_rows(client, monkeypatch):
    monkeypatch.setattr(exports, "CHUNK", 3)
    desk, wanted = _ward(8)
    client.force_login(desk)
    with CaptureQueriesContext(connection) as queries:
        rows = _csv_rows(client.get(f"{BASE}/xuat/csv/", {"status__exact": "refused"}))
    assert rows[0][0] == "Mã hồ sơ"
    assert [row[0] for row in rows[1:]] == [d.code for d in sorted(wanted, key=lambda d: d.pk)]
    pages = [q["sql"] for q in queries.captured_queries if 'ORDER BY "dossiers_dossier"."id" ASC' in q["sql"]
             and "LIMIT 3" in q["sql"]]
    assert len(pages) == 3                                  # 8 rows: 3 + 3 + 2, no server-side cursor
    assert sum('"dossiers_dossier"."id" >' in sql for sql in pages) == 2

    response = client.get(f"{BASE}/xuat/xlsx/", {"status__exact": "refused"})
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Mã hồ sơ"
    assert sorted(row[0] for row in values[1:]) == sorted(d.code for d in wanted)
    assert {row[3] for row in values[1:]} == {f"Phạm Văn {n}" for n in range(8)}


@pytest.mark.django_db
def test_a_bad_filter_is_a_message_not_a_500(client):
    desk, _wanted = _ward(1)
    client.force_login(desk)
    response = client.get(f"{BASE}/xuat/csv/", {"received_at__gte": "không phải ngày"}, follow=True)
    assert response.status_code == 200
    assert "Bộ lọc không hợp lệ" in response.content.decode()


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_large_xlsx_is_built_by_the_worker_and_only_its_clerk_downloads_it(client, live_celery, tmp_path,
                                                                            settings):
    database_url()  # PostgreSQL or skip/fail
    settings.BACKOFFICE_EXPORT_INLINE_ROWS = 4
    desk, wanted = _ward(7)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": database_url(),
           "CELERY_BROKER_URL": live_celery.conf.broker_url, "TEST_CELERY_ALWAYS_EAGER": "0",
           "TEST_CELERY_QUEUE": live_celery.conf.task_default_queue}
    env.pop("REQUIRE_SERVICES", None)
    client.force_login(desk)
    # An expired export of the clerk's: the worker deletes it (row and file) before building the new one.
    stale = ExportFile.objects.create(requested_by=desk, format="xlsx", expires_at=timezone.now() - timedelta(hours=1),
                                      status=ExportStatus.READY)
    from django.core.files.base import ContentFile

    stale.file.save("cu.xlsx", ContentFile(b"old"), save=True)
    stale_name = stale.file.name

    response = client.get(f"{BASE}/xuat/xlsx/", {"status__exact": "refused"}, follow=True)
    assert response.status_code == 200
    assert "tệp Excel được chuẩn bị riêng" in response.content.decode()
    export = ExportFile.objects.exclude(pk=stale.pk).get(requested_by=desk)
    assert export.filters == "status__exact=refused"

    worker = Worker(env, tmp_path / "worker.log")
    try:
        wait_until(lambda: ExportFile.objects.filter(pk=export.pk, status=ExportStatus.READY).exists(),
                   timeout=30, message="the export to be built")
    finally:
        worker.stop()
    export.refresh_from_db()
    assert export.row_count == 7
    assert not ExportFile.objects.filter(pk=stale.pk).exists()
    from django.core.files.storage import default_storage

    assert not default_storage.exists(stale_name)

    # The list tells the clerk once, with the link.
    url = f"{BASE}/xuat/tep/{export.pk}/"
    page = client.get(f"{BASE}/", {"viec": "tat-ca"}).content.decode()
    assert "đã sẵn sàng" in page and url in page
    assert url not in client.get(f"{BASE}/", {"viec": "tat-ca"}).content.decode()

    download = client.get(url)
    assert download.status_code == 200 and "no-store" in download["Cache-Control"]
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert sorted(row[0] for row in values[1:]) == sorted(d.code for d in wanted)   # exactly the scoped rows

    # Another clerk of the same agency does not get it; nor does anyone once it expired.
    colleague = clerk(wanted[0].agency)
    client.force_login(colleague)
    assert client.get(url).status_code == 404
    client.force_login(desk)
    ExportFile.objects.filter(pk=export.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_periodic_clean_up_deletes_expired_exports_and_their_files_only():
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from backoffice.tasks import delete_expired_exports

    desk, _wanted = _ward(0)
    kept, gone = (ExportFile.objects.create(requested_by=desk, format="xlsx", status=ExportStatus.READY,
                                            expires_at=timezone.now() + timedelta(hours=hours)) for hours in (1, -1))
    for export in (kept, gone):
        export.file.save("x.xlsx", ContentFile(b"xlsx"), save=True)
    assert delete_expired_exports.delay().get(timeout=10) == 1
    assert list(ExportFile.objects.values_list("pk", flat=True)) == [kept.pk]
    assert default_storage.exists(kept.file.name) and not default_storage.exists(gone.file.name)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_large_export_fails_at_once_and_the_clerk_is_told(client, live_celery, monkeypatch,
                                                                                 settings):
    from tests.fixtures.celery_worker import _reset_pools
    from tests.fixtures.smtp import free_port

    settings.BACKOFFICE_EXPORT_INLINE_ROWS = 1
    desk, _wanted = _ward(2)
    # Nothing listens there (Celery reads CELERY_BROKER_URL from the environment before its settings).
    monkeypatch.setenv("CELERY_BROKER_URL", f"redis://127.0.0.1:{free_port()}/0")
    _reset_pools(live_celery)
    client.force_login(desk)
    response = client.get(f"{BASE}/xuat/xlsx/", {"status__exact": "refused"}, follow=True)
    assert response.status_code == 200
    assert ExportFile.objects.get(requested_by=desk).status == ExportStatus.FAILED
    # The list the clerk is sent back to says so, once.
    assert "Không tạo được tệp Excel danh sách hồ sơ" in response.content.decode()
    assert "Không tạo được tệp Excel" not in client.get(f"{BASE}/", {"viec": "tat-ca"}).content.decode()
