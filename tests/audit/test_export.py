"""The audit trail's CSV export reads the rows in keyset chunks by primary key (issue 17): behind
PgBouncer (transaction pooling, DISABLE_SERVER_SIDE_CURSORS) ``QuerySet.iterator()`` would load the
whole trail at once; pages of ``pk > last`` with a LIMIT keep the worker's memory flat."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditAction, AuditEntry
from audit.services import EXPORT_CHUNK_SIZE, entries_in_chunks, write_csv
from tests.backoffice.helpers import agency_with_procedure, leader

pytestmark = pytest.mark.django_db


def _entries(count, agency=None, prefix="canbo"):
    AuditEntry.objects.bulk_create([
        AuditEntry(actor_username=f"{prefix}.{n:05d}", action=AuditAction.VIEW, object_id=str(n),
                   object_repr=f"Hồ sơ số {n}", agency=agency) for n in range(count)])
    return list(AuditEntry.objects.filter(actor_username__startswith=prefix).order_by("pk").values_list("pk", flat=True))


def _entry_selects(queries):
    return [q["sql"] for q in queries if q["sql"].lstrip().startswith("SELECT") and '"audit_auditentry"' in q["sql"]]


def test_every_row_once_in_order_one_query_per_chunk():
    pks = _entries(11)
    with CaptureQueriesContext(connection) as queries:
        seen = [entry.pk for entry in entries_in_chunks(AuditEntry.objects.all(), chunk_size=4)]
    assert seen == pks
    selects = _entry_selects(queries.captured_queries)
    # 4 + 4 + 3: the short third page ends it; each page starts after the last key, never at an OFFSET.
    assert len(selects) == 3
    assert all("LIMIT 4" in sql and "OFFSET" not in sql for sql in selects)
    assert f'"audit_auditentry"."id" > {pks[3]}' in selects[1] and f'"audit_auditentry"."id" > {pks[7]}' in selects[2]


def test_a_trail_of_an_exact_multiple_of_the_chunk_ends_with_an_empty_page():
    pks = _entries(8)
    assert [entry.pk for entry in entries_in_chunks(AuditEntry.objects.all(), chunk_size=4)] == pks


def test_the_chunks_keep_the_callers_filter():
    agency, _procedure = agency_with_procedure()
    mine = _entries(7, agency=agency, prefix="phuong")
    _entries(5, prefix="khac")
    seen = [entry.pk for entry in entries_in_chunks(AuditEntry.objects.filter(agency=agency), chunk_size=3)]
    assert seen == mine


def test_write_csv_writes_a_row_per_entry_across_chunks():
    pks = _entries(10)
    stream = io.StringIO()
    write_csv(AuditEntry.objects.all(), stream, chunk_size=3)
    rows = list(csv.reader(io.StringIO(stream.getvalue().lstrip("\ufeff"))))
    assert rows[0][0] == "thoi_diem"
    assert [row[5] for row in rows[1:]] == [str(n) for n in range(10)] and len(rows) - 1 == len(pks)


def test_the_admin_export_streams_more_rows_than_a_chunk(client):
    agency, _procedure = agency_with_procedure()
    count = EXPORT_CHUNK_SIZE * 2 + 7
    _entries(count, agency=agency)
    boss = leader(agency, username="lanhdao.xuat.lon")
    client.force_login(boss)
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/quan-tri/audit/auditentry/", {"action": "export_csv", "select_across": "1",
                                                               "index": "0", "_selected_action": ["0"]})
        assert response.status_code == 200 and response.streaming
        body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    exported = [row for row in rows[1:] if row[1].startswith("canbo.")]
    assert len(exported) == count
    assert [row[5] for row in exported] == [str(n) for n in range(count)]
    pages = [sql for sql in _entry_selects(queries.captured_queries) if f"LIMIT {EXPORT_CHUNK_SIZE}" in sql]
    assert len(pages) == 3 and not any("OFFSET" in sql for sql in pages)
