"""The clerk's workbench: the day's queues, the search, the reception checklist, exports, the leader's view."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from backoffice import queue
from backoffice.summary import agency_summaries
from dossiers import roles, services
from dossiers.models import Dossier, Rating, RatingScore
from dossiers.workflow import DossierStatus
from procedures.models import Agency
from tests.backoffice.helpers import agency_with_procedure, at, clerk, filed, leader, specialist
from tests.factories import ComponentFactory, UserFactory
from tracking.supplements import submit_supplement

pytestmark = pytest.mark.django_db
BASE = "/quan-tri/dossiers/dossier"
D = datetime.date


@pytest.fixture
def ward():
    agency, procedure = agency_with_procedure(processing_days=3)
    return {"agency": agency, "procedure": procedure, "clerk": clerk(agency, first_name="Lan", last_name="Trần")}


def _counts(user, today):
    visible = roles.visible_dossiers(Dossier.objects.all(), user)
    return {q.slug: n for q, n in queue.counts(visible, user, today=today)}


def test_queue_counts_every_state_with_a_weekend_and_a_holiday(ward, settings):
    """Thursday 31 December 2026: Friday 1 January is New Year's Day, then a weekend.

    Two working days from that Thursday are Monday 4 and Tuesday 5 January: a dossier due
    on Monday is "due tomorrow" in working days and counts as due soon; Wednesday does not.
    """
    settings.DUE_SOON_WORKING_DAYS = 2
    today = D(2026, 12, 31)
    agency, procedure, desk = ward["agency"], ward["procedure"], ward["clerk"]
    expert = specialist(agency)
    made = {
        "new": filed(procedure, agency),
        "new_2": filed(procedure, agency),
        "mine": filed(procedure, agency, status=DossierStatus.PROCESSING, assigned_to=desk,
                      received_at=at(2026, 12, 28), appointment_date=D(2027, 1, 20)),
        "theirs": filed(procedure, agency, status=DossierStatus.PROCESSING, assigned_to=expert,
                        received_at=at(2026, 12, 28), appointment_date=D(2027, 1, 20)),
        "due_monday": filed(procedure, agency, status=DossierStatus.RECEIVED, received_at=at(2026, 12, 28),
                            appointment_date=D(2027, 1, 4)),
        "due_tuesday": filed(procedure, agency, status=DossierStatus.PROCESSING, assigned_to=expert,
                             received_at=at(2026, 12, 28), appointment_date=D(2027, 1, 5)),
        "due_today": filed(procedure, agency, status=DossierStatus.RECEIVED, received_at=at(2026, 12, 28),
                           appointment_date=today),
        "due_wednesday": filed(procedure, agency, status=DossierStatus.RECEIVED, received_at=at(2026, 12, 28),
                               appointment_date=D(2027, 1, 6)),
        "late": filed(procedure, agency, status=DossierStatus.PROCESSING, assigned_to=expert,
                      received_at=at(2026, 12, 20), appointment_date=D(2026, 12, 29)),
        "late_but_done": filed(procedure, agency, status=DossierStatus.RETURNED, appointment_date=D(2026, 12, 1)),
        "refused": filed(procedure, agency, status=DossierStatus.REFUSED),
        "waiting_citizen": filed(procedure, agency),
        "came_back": filed(procedure, agency),
    }
    for key in ("waiting_citizen", "came_back"):
        services.request_supplement(dossier=made[key], actor=desk, reason="Thiếu ảnh", missing_items=["Ảnh 4x6"])
    request = made["came_back"].supplement_requests.get()
    submit_supplement(request, files=[], note="Đã bổ sung")
    other_agency, other_procedure = agency_with_procedure()
    filed(other_procedure, other_agency)                                        # another agency: never counted
    filed(other_procedure, other_agency, status=DossierStatus.PROCESSING, appointment_date=D(2026, 12, 1))

    counts = _counts(desk, today)
    assert counts == {"cho-tiep-nhan": 2, "da-bo-sung": 1, "cua-toi": 1, "sap-den-han": 3, "qua-han": 1}

    # Each count's link opens exactly those dossiers; the default list is all of them at once.
    def listed(params):
        from backoffice.admin import DossierAdmin  # noqa: F401 - the admin is registered

        return {d.pk for d in Dossier.objects.filter(
            queue.condition(queue.BY_SLUG[params], desk, today=today)).filter(agency=agency)}

    assert listed("cho-tiep-nhan") == {made["new"].pk, made["new_2"].pk}
    assert listed("da-bo-sung") == {made["came_back"].pk}
    assert listed("cua-toi") == {made["mine"].pk}
    assert listed("sap-den-han") == {made["due_monday"].pk, made["due_tuesday"].pk, made["due_today"].pk}
    assert listed("qua-han") == {made["late"].pk}
    today_pks = set(queue.filter_queue(Dossier.objects.filter(agency=agency), queue.TODAY, desk, today=today)
                    .values_list("pk", flat=True))
    assert today_pks == {made[key].pk for key in ("new", "new_2", "came_back", "mine", "due_monday",
                                                   "due_tuesday", "due_today", "late")}


def test_the_list_opens_on_the_days_work_with_counts_and_links(client, ward):
    agency, procedure, desk = ward["agency"], ward["procedure"], ward["clerk"]
    waiting = filed(procedure, agency)
    done = filed(procedure, agency, status=DossierStatus.RETURNED)
    client.force_login(desk)
    response = client.get(f"{BASE}/")
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [waiting]
    page = response.content.decode()
    assert f'href="{BASE}/?viec=cho-tiep-nhan"><strong>1</strong> Chờ tiếp nhận</a>' in page
    assert "Show counts" not in page and "Hiện số lượng" not in page     # no facet counts over the table
    # A search always looks at every dossier, not only the day's work.
    found = client.get(f"{BASE}/", {"q": done.code}).context["cl"].result_list
    assert list(found) == [done]
    assert {d.pk for d in client.get(f"{BASE}/", {"viec": "tat-ca"}).context["cl"].result_list} == {
        waiting.pk, done.pk}


@pytest.mark.parametrize("term", ["Nguyễn Văn Ánh", "nguyen van anh", "NGUYỄN VĂN ÁNH", "van anh", "Ánh"])
def test_search_by_name_with_or_without_diacritics(client, ward, term):
    agency, procedure = ward["agency"], ward["procedure"]
    wanted = filed(procedure, agency, applicant_name="Nguyễn Văn Ánh")
    filed(procedure, agency, applicant_name="Trần Thị Bình")
    client.force_login(ward["clerk"])
    assert list(client.get(f"{BASE}/", {"q": term}).context["cl"].result_list) == [wanted]


def test_search_by_code_prefix_phone_in_any_format_and_id_number(client, ward):
    agency, procedure = ward["agency"], ward["procedure"]
    wanted = filed(procedure, agency, applicant_phone="+84912345678", applicant_id_number="001090099999")
    other = filed(procedure, agency, applicant_phone="+84987654321", applicant_id_number="001090088888")
    client.force_login(ward["clerk"])
    for term in ("0912 345 678", "0912.345.678", "+84 912 345 678", "84912345678", "001090099999",
                 wanted.code, wanted.code.lower()):
        assert list(client.get(f"{BASE}/", {"q": term}).context["cl"].result_list) == [wanted], term
    prefix = wanted.code[: wanted.code.rindex("-")]          # "…-YYMMDD": both of today's dossiers
    assert set(client.get(f"{BASE}/", {"q": prefix}).context["cl"].result_list) == {wanted, other}
    # A name too short to search by says so instead of scanning every dossier.
    response = client.get(f"{BASE}/", {"q": "An"}, follow=True)
    assert list(response.context["cl"].result_list) == []
    assert "Nhập ít nhất 3 ký tự" in response.content.decode()


def test_search_and_filters_keep_a_constant_number_of_queries(client, ward):
    agency, procedure = ward["agency"], ward["procedure"]
    client.force_login(ward["clerk"])
    params = [{}, {"q": "nguyen"}, {"q": "0912345678"}, {"han": "overdue"}, {"status__exact": "received"},
              {"viec": "qua-han"}, {"o": "6"}]

    def queries():
        found = []
        for query in params:
            client.get(f"{BASE}/", query)  # warm up
            with CaptureQueriesContext(connection) as captured:
                assert client.get(f"{BASE}/", query).status_code == 200
            found.append(len(captured))
        return found

    for index in range(5):
        filed(procedure, agency, applicant_name=f"Nguyễn Văn {index}", applicant_phone="+84912345678")
    few = queries()
    for index in range(60):
        filed(procedure, agency, applicant_name=f"Nguyễn Văn {index}", applicant_phone="+84912345678",
              status=DossierStatus.RECEIVED, received_at=timezone.now(),
              appointment_date=timezone.localdate() - datetime.timedelta(days=2))
    assert queries() == few


def test_the_paginator_never_counts_the_whole_table(client, ward, monkeypatch):
    from backoffice import changelist

    monkeypatch.setattr(changelist, "COUNT_CAP", 5)
    for _index in range(8):
        filed(ward["procedure"], ward["agency"])
    client.force_login(ward["clerk"])
    with CaptureQueriesContext(connection) as captured:
        page = client.get(f"{BASE}/", {"viec": "tat-ca"}).content.decode()
    assert "hơn 5 hồ sơ" in page
    counts = [q["sql"].upper() for q in captured if "COUNT(" in q["sql"].upper()]
    paginator = [sql for sql in counts if ") SUBQUERY" in sql]
    assert paginator and all("LIMIT 6" in sql for sql in paginator), paginator
    # The day's work counters count indexed conditions, never the whole table.
    assert all(" WHERE " in sql for sql in counts), counts


def test_reception_needs_every_required_component_checked(client, ward):
    agency, procedure, desk = ward["agency"], ward["procedure"], ward["clerk"]
    birth = ComponentFactory(procedure=procedure, name="Giấy chứng sinh", order=1)
    ids = ComponentFactory(procedure=procedure, name="Giấy tờ tùy thân", order=2)
    optional = ComponentFactory(procedure=procedure, name="Văn bản ủy quyền", order=3, is_required=False)
    dossier = filed(procedure, agency)
    client.force_login(desk)
    url = f"{BASE}/{dossier.pk}/thao-tac/receive/"
    page = client.get(f"{BASE}/{dossier.pk}/change/").content.decode()
    assert "Đã đối chiếu bản chính" in page and "Giấy chứng sinh" in page and "(không bắt buộc)" in page

    response = client.post(url, {"receive-version": dossier.version, f"receive-doi_chieu_{birth.pk}": "on",
                                 "receive-note": "Công dân mang bản chính"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Chưa đối chiếu bản chính của thành phần bắt buộc: Giấy tờ tùy thân" in text
    assert 'name="receive-note"' in text and "Công dân mang bản chính" in text       # what was typed stays
    assert re.search(rf'<input type="checkbox" name="receive-doi_chieu_{birth.pk}"[^>]* checked', text)
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.REGISTERED

    response = client.post(url, {"receive-version": dossier.version, f"receive-doi_chieu_{birth.pk}": "on",
                                 f"receive-doi_chieu_{ids.pk}": "on", "receive-note": "Công dân mang bản chính"})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RECEIVED
    entry = dossier.events.get(action="receive")
    assert entry.internal_note == ("Đã đối chiếu bản chính: Giấy chứng sinh; Giấy tờ tùy thân.\n"
                                   "Công dân mang bản chính")
    assert optional.name not in entry.internal_note


def test_dossier_page_puts_actions_first_and_links_its_neighbours(client, ward):
    agency, procedure, desk = ward["agency"], ward["procedure"], ward["clerk"]
    first = filed(procedure, agency, submitted_at=timezone.now() - datetime.timedelta(minutes=3))
    middle = filed(procedure, agency, submitted_at=timezone.now() - datetime.timedelta(minutes=2))
    last = filed(procedure, agency, submitted_at=timezone.now() - datetime.timedelta(minutes=1))
    client.force_login(desk)
    filters = "viec=tat-ca"
    page = client.get(f"{BASE}/{middle.pk}/change/", {"_changelist_filters": filters}).content.decode()
    # Top-down: code and actions before the applicant, the files, and the history last.
    positions = [page.index(marker) for marker in ('id="dossier-code"', 'id="thao-tac"', 'id="nguoi-nop"',
                                                    'id="to-khai"', 'id="tep"', 'id="lich-su"')]
    assert positions == sorted(positions)
    assert '<details class="backoffice-section" id="lich-su">' in page          # collapsed
    # Newest first: the previous one is the newer "last", the next one the older "first"; filters kept.
    assert f'href="{BASE}/{last.pk}/change/?_changelist_filters=viec%3Dtat-ca" rel="prev"' in page
    assert f'href="{BASE}/{first.pk}/change/?_changelist_filters=viec%3Dtat-ca" rel="next"' in page


def _export(client, fmt, params):
    response = client.get(f"{BASE}/xuat/{fmt}/", params)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_exports_hold_exactly_the_filtered_scoped_rows(client, ward):
    agency, procedure, desk = ward["agency"], ward["procedure"], ward["clerk"]
    wanted = [filed(procedure, agency, applicant_name=f"Lê Thị {n}", status=DossierStatus.RECEIVED,
                    received_at=timezone.now(), appointment_date=timezone.localdate()) for n in range(3)]
    filed(procedure, agency, applicant_name="=HYPERLINK(\"http://x\")", status=DossierStatus.REFUSED)
    other_agency, other_procedure = agency_with_procedure()
    filed(other_procedure, other_agency, status=DossierStatus.RECEIVED, received_at=timezone.now(),
          appointment_date=timezone.localdate())
    client.force_login(desk)
    params = {"status__exact": "received"}

    rows = list(csv.reader(io.StringIO(_export(client, "csv", params).decode("utf-8-sig"))))
    assert rows[0][0] == "Mã hồ sơ" and rows[0][3] == "Người nộp"
    assert sorted(row[0] for row in rows[1:]) == sorted(d.code for d in wanted)
    assert {row[3] for row in rows[1:]} == {"Lê Thị 0", "Lê Thị 1", "Lê Thị 2"}

    sheet = load_workbook(io.BytesIO(_export(client, "xlsx", params)), read_only=True).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "Mã hồ sơ"
    assert sorted(row[0] for row in values[1:]) == sorted(d.code for d in wanted)

    everything = list(csv.reader(io.StringIO(_export(client, "csv", {"viec": "tat-ca"}).decode("utf-8-sig"))))
    assert len(everything) == 1 + 4                                     # never the other agency's dossier
    assert "'=HYPERLINK(\"http://x\")" in {row[3] for row in everything}  # not a formula in a spreadsheet
    assert client.get(f"{BASE}/xuat/pdf/").status_code == 404


def test_leader_view_counts_the_month_per_agency(client, ward, settings):
    agency, procedure, desk = ward["agency"], ward["procedure"], ward["clerk"]
    boss = leader(agency)
    today = timezone.localdate()
    month_start = at(today.year, today.month, 1, 8)
    appointment = today + datetime.timedelta(days=10)

    def made(status, received, result=None, appointment_date=appointment):
        return filed(procedure, agency, status=status, received_at=received, result_ready_at=result,
                     appointment_date=appointment_date)

    made(DossierStatus.RECEIVED, month_start)                                             # in progress, on time
    made(DossierStatus.PROCESSING, month_start, appointment_date=today - datetime.timedelta(days=1))  # late
    early = made(DossierStatus.RETURNED, month_start, month_start)                        # result before the date
    made(DossierStatus.RESULT_READY, month_start, month_start,
         appointment_date=timezone.localtime(month_start).date())                          # on the day
    made(DossierStatus.RETURNED, month_start - datetime.timedelta(days=40),
         month_start, appointment_date=timezone.localtime(month_start).date() - datetime.timedelta(days=3))
    Rating.objects.create(dossier=early, score=RatingScore.SATISFIED)
    other_agency, other_procedure = agency_with_procedure()
    filed(other_procedure, other_agency, status=DossierStatus.RECEIVED, received_at=month_start)

    [row] = agency_summaries(Agency.objects.filter(pk=agency.pk), today, today=today)
    assert (row.received, row.resolved_early, row.resolved_on_time, row.resolved_late) == (4, 1, 1, 1)
    assert (row.in_progress_on_time, row.in_progress_late) == (1, 1)
    assert row.on_time_rate == 66.7 and row.satisfaction_rate == 100.0

    client.force_login(boss)
    page = client.get(f"{BASE}/tinh-hinh/").content.decode()
    assert f'data-agency="{agency.pk}"' in page and f'data-agency="{other_agency.pk}"' not in page
    assert '<td class="number" data-figure="received">4</td>' in page
    assert "66.7%" in page or "66,7%" in page
    client.force_login(desk)                                    # a reception clerk is not a leader
    assert client.get(f"{BASE}/tinh-hinh/").status_code == 403
    client.force_login(UserFactory(is_superuser=True))
    assert f'data-agency="{other_agency.pk}"' in client.get(f"{BASE}/tinh-hinh/").content.decode()


def test_processing_time_in_words(ward):
    procedure = ward["procedure"]
    procedure.processing_days, procedure.processing_note = 3, ""
    assert procedure.processing_time_text == "03 ngày làm việc"
    procedure.processing_days = 0
    assert procedure.processing_time_text == "Trong ngày"
    procedure.processing_note = "Ngay trong ngày tiếp nhận; sau 15 giờ trả trong ngày làm việc tiếp theo"
    assert procedure.processing_time_text.startswith("Ngay trong ngày tiếp nhận")


def test_the_admin_speaks_the_portals_vietnamese_and_english_when_chosen(client, ward):
    filed(ward["procedure"], ward["agency"])
    client.force_login(ward["clerk"])
    page = client.get(f"{BASE}/").content.decode()
    assert " Theo trạng thái " in page and "Bởi" not in page          # not Django's "Bởi trạng thái"
    for english in ("Show counts", "Model name", "Add link", "Skip to main content", "Toggle navigation"):
        assert english not in page
    index = client.get("/quan-tri/").content.decode()
    assert "Bản ghi nhớ" not in index and "Thao tác gần đây" in index and "Đăng xuất" in index
    assert "Mục" in index and "Model name" not in index

    client.cookies["django_language"] = "en"
    english = client.get(f"{BASE}/").content.decode()
    assert "The day’s work" in english or "Today’s work" in english
    assert "Awaiting receipt" in english and "Overdue" in english and " By status " in english
    assert "Chờ tiếp nhận" not in english
