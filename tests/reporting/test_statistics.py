"""Public statistics: the fact table's figures (Decision 766), the page, the CSV, and anonymised dossiers."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dossiers.models import Rating
from reporting.models import AgencyMonthStatistics
from reporting.services import refresh_statistics
from reporting.tasks import refresh_statistics as refresh_task
from retention.services import anonymise_dossier
from tests.factories import AgencyFactory, ProcedureFactory, TierFactory

from .helpers import at, dossier_at, receive, refuse, resolve, withdraw

pytestmark = pytest.mark.django_db

NOW = at(2026, 5, 20, 10)


@pytest.fixture
def scene():
    """Two agencies of two tiers; dossiers through March–May 2026 with known outcomes."""
    commune, district = TierFactory(), TierFactory(slug="cap-huyen", name="Cấp huyện", order=2)
    ward = AgencyFactory(tier=commune, name="UBND phường Cửa Nam")
    office = AgencyFactory(tier=district, name="UBND quận Hoàn Kiếm")
    p_ward = ProcedureFactory(agencies=[ward], tier=commune)
    p_office = ProcedureFactory(agencies=[office], tier=district)
    d = {}
    # Received in March, resolved in April before its appointment (early), rated satisfied.
    d["early"] = dossier_at(ward, p_ward, submitted=at(2026, 3, 30))
    clerk = receive(d["early"], at(2026, 3, 31), datetime.date(2026, 4, 10))
    resolve(d["early"], at(2026, 4, 8), clerk)
    Rating.objects.create(dossier=d["early"], score="satisfied", created_at=at(2026, 4, 9))
    # Received in April, resolved on its appointment day.
    d["on_time"] = dossier_at(ward, p_ward, submitted=at(2026, 4, 1), channel="in_person")
    clerk = receive(d["on_time"], at(2026, 4, 1), datetime.date(2026, 4, 6))
    resolve(d["on_time"], at(2026, 4, 6, 16), clerk)
    Rating.objects.create(dossier=d["on_time"], score="acceptable", created_at=at(2026, 4, 7))
    # Received in April, resolved late in April.
    d["late"] = dossier_at(ward, p_ward, submitted=at(2026, 4, 2), channel="post")
    clerk = receive(d["late"], at(2026, 4, 2), datetime.date(2026, 4, 7))
    resolve(d["late"], at(2026, 4, 9), clerk)
    # Received in April, still open, appointment passed in April: overdue at the end of April.
    d["overdue"] = dossier_at(ward, p_ward, submitted=at(2026, 4, 3))
    receive(d["overdue"], at(2026, 4, 3), datetime.date(2026, 4, 20))
    # Received in April, still open, appointment in June: in progress within time.
    d["open"] = dossier_at(office, p_office, submitted=at(2026, 4, 20))
    receive(d["open"], at(2026, 4, 21), datetime.date(2026, 6, 1))
    # Withdrawn and refused in April (never received).
    d["withdrawn"] = dossier_at(office, p_office, submitted=at(2026, 4, 10))
    withdraw(d["withdrawn"], at(2026, 4, 11))
    d["refused"] = dossier_at(office, p_office, submitted=at(2026, 4, 12))
    refuse(d["refused"], at(2026, 4, 13))
    return {"ward": ward, "office": office, "commune": commune, "district": district, **d}


def month_row(agency, month, year=2026):
    return AgencyMonthStatistics.objects.get(agency=agency, year=year, month=month)


def test_april_figures_follow_the_definitions(scene):
    refresh_statistics(since=(2026, 3), now=NOW)
    ward = month_row(scene["ward"], 4)
    assert ward.carried_over == 1                      # the March dossier, unresolved on 1 April
    assert (ward.received_online, ward.received_in_person, ward.received_by_post) == (1, 1, 1)
    assert (ward.resolved_early, ward.resolved_on_time, ward.resolved_late) == (1, 1, 1)
    assert (ward.in_progress_on_time, ward.in_progress_overdue) == (0, 1)
    assert (ward.rated_satisfied, ward.rated_acceptable, ward.rated_not_satisfied) == (1, 1, 0)
    office = month_row(scene["office"], 4)
    assert (office.received_online, office.in_progress_on_time, office.withdrawn, office.refused) == (1, 1, 1, 1)
    march = month_row(scene["ward"], 3)
    assert (march.received_online, march.in_progress_on_time, march.carried_over) == (1, 1, 0)


def test_the_current_month_counts_its_stock_today(scene):
    refresh_statistics(since=(2026, 5), now=NOW)
    ward = month_row(scene["ward"], 5)
    # Nothing received in May; the overdue dossier is carried over and still overdue on 20 May.
    assert (ward.carried_over, ward.received_online, ward.in_progress_overdue) == (1, 0, 1)


def _figures(**filters):
    return [{k: v for k, v in row.items() if k not in ("id", "computed_at")}
            for row in AgencyMonthStatistics.objects.filter(**filters).order_by("year", "month", "agency_id").values()]


def test_refreshing_twice_gives_the_same_rows(scene):
    refresh_statistics(since=(2026, 3), now=NOW)
    first = _figures()
    refresh_statistics(since=(2026, 3), now=NOW)
    assert _figures() == first and len(first) == 5   # ward: March, April, May; office: April, May


def test_the_periodic_task_recomputes_up_to_today(scene):
    refresh_statistics(since=(2026, 3), now=NOW)
    april = _figures(month=4)
    # Eager in the unit tests: the real task, in-process, with the real clock (months after May too).
    months = refresh_task.delay(since=[2026, 3]).get()
    assert months[0] == [2026, 3] and [2026, 5] in months
    assert _figures(month=4) == april     # a finished month does not change


def test_rates_on_the_page_and_both_definitions_stated(client, scene):
    refresh_statistics(since=(2026, 3), now=NOW)
    page = client.get("/thong-ke/", {"nam": 2026, "thang": 4})
    assert page.status_code == 200
    text = page.content.decode()
    # Ward and office together in April: 3 resolved, 2 in time; due = 3 resolved + 1 overdue.
    assert "50,0 %" in text        # 2 / 4 due (Vietnamese decimal comma)
    assert "66,7 %" in text        # 2 / 3 resolved
    assert "75,0/100" in text      # (100 + 50) / 2
    assert "Tỷ lệ đúng hạn trên hồ sơ đến hạn" in text and "Tỷ lệ đúng hạn trên hồ sơ đã giải quyết" in text
    assert "kể cả hồ sơ tồn từ kỳ trước" in text
    assert text.count("<svg") == 2 and 'role="img"' in text
    assert "UBND phường Cửa Nam" in text and "Tổng Cấp huyện" in text


def test_filters_by_tier_and_agency(client, scene):
    refresh_statistics(since=(2026, 3), now=NOW)
    text = client.get("/thong-ke/", {"nam": 2026, "cap": "cap-huyen"}).content.decode()
    assert "UBND quận Hoàn Kiếm" in text and "UBND phường Cửa Nam</th>" not in text
    text = client.get("/thong-ke/", {"nam": 2026, "co_quan": scene["ward"].pk}).content.decode()
    assert "UBND phường Cửa Nam</th>" in text and "UBND quận Hoàn Kiếm</th>" not in text


@pytest.mark.parametrize("query", [{"nam": "abc"}, {"thang": "13"}, {"cap": "khong-co"}, {"co_quan": "x' OR 1=1"},
                                   {"nam": "1999", "thang": "-1"}])
def test_bad_parameters_are_dropped_with_a_notice(client, scene, query):
    refresh_statistics(since=(2026, 3), now=NOW)
    page = client.get("/thong-ke/", query)
    assert page.status_code == 200
    assert "Một số điều kiện lọc không hợp lệ nên đã được bỏ qua." in page.content.decode()
    assert client.get("/thong-ke/tai-ve.csv", query).status_code == 200


def test_an_empty_portal_shows_an_empty_page(client, db):
    page = client.get("/thong-ke/")
    assert page.status_code == 200
    assert "Chưa có số liệu cho kỳ và phạm vi đã chọn." in page.content.decode()


def test_csv_download_has_the_page_figures(client, scene):
    refresh_statistics(since=(2026, 3), now=NOW)
    response = client.get("/thong-ke/tai-ve.csv", {"nam": 2026, "thang": 4})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="thong-ke-04-2026.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header = rows[0]
    total = dict(zip(header, rows[-1], strict=True))
    assert total["Cơ quan"] == "Tổng cộng"
    assert total["Tổng tiếp nhận"] == "4" and total["Giải quyết quá hạn"] == "1"
    assert total["Tỷ lệ đúng hạn trên hồ sơ đến hạn (%)"] == "50.0"
    ward = next(dict(zip(header, row, strict=True)) for row in rows if row[2] == "UBND phường Cửa Nam")
    assert ward["Tiếp nhận trực tiếp"] == "1" and ward["Kỳ trước chuyển sang"] == "1"


def test_the_year_sums_flows_and_takes_stocks_at_its_ends(client, scene):
    refresh_statistics(since=(2026, 3), now=NOW)
    rows = list(csv.reader(io.StringIO(client.get("/thong-ke/tai-ve.csv", {"nam": 2026}).content.decode("utf-8-sig"))))
    ward = next(dict(zip(rows[0], row, strict=True)) for row in rows if row[2] == "UBND phường Cửa Nam")
    assert ward["Kỳ trước chuyển sang"] == "0"          # nothing was open on 1 March, the first month
    assert ward["Tổng tiếp nhận"] == "4"                # March + April
    assert ward["Đang giải quyết quá hạn"] == "1"       # on 20 May, the last month


def test_figures_survive_the_anonymisation_of_the_dossiers(client, scene, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}
    refresh_statistics(since=(2026, 3), now=NOW)
    before = client.get("/thong-ke/tai-ve.csv", {"nam": 2026}).content
    for name in ("early", "on_time", "late", "withdrawn", "refused"):
        scene[name].refresh_from_db()
        if scene[name].status in ("refused", "withdrawn"):
            assert anonymise_dossier(scene[name]) is not None
    # Recomputed from the anonymised dossiers: the same figures.
    refresh_statistics(since=(2026, 3), now=NOW)
    assert client.get("/thong-ke/tai-ve.csv", {"nam": 2026}).content.split(b"\n")[1:] == before.split(b"\n")[1:]


def test_the_page_reads_a_fixed_number_of_queries(client, scene):
    refresh_statistics(since=(2026, 3), now=NOW)
    client.get("/thong-ke/")  # the first page of a catalogue version reads the filters' options (pagecache.memoized)
    with CaptureQueriesContext(connection) as one_month:
        client.get("/thong-ke/", {"nam": 2026, "thang": 4})
    with CaptureQueriesContext(connection) as whole_year:
        client.get("/thong-ke/", {"nam": 2026})
    assert len(one_month) == len(whole_year) <= 10
