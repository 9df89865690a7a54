"""The back office's pages: the dossier list, the dossier page and its transition forms, the index, the login."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dossiers import services
from dossiers.deadlines import WorkingCalendar
from dossiers.models import DossierFile, DossierFileKind
from dossiers.workflow import DossierStatus
from tests.backoffice.helpers import PDF, agency_with_procedure, clerk, filed, specialist
from tests.factories import DeclarationFieldFactory

pytestmark = pytest.mark.django_db
BASE = "/quan-tri/dossiers/dossier"


@pytest.fixture
def ward():
    agency, procedure = agency_with_procedure(processing_days=3)
    return {"agency": agency, "procedure": procedure, "clerk": clerk(agency, first_name="Lan", last_name="Trần")}


def _changelist_queries(client, count, ward):
    from dossiers.models import Dossier

    existing = Dossier.objects.count()
    for index in range(existing, count):
        dossier = filed(ward["procedure"], ward["agency"], applicant_name=f"Người {index}")
        if index % 2:
            services.receive_dossier(dossier=dossier, actor=ward["clerk"])
    client.get(f"{BASE}/", {"viec": "tat-ca"})  # warm up: a first request may refresh the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{BASE}/", {"viec": "tat-ca"})   # every dossier, not only the day's work
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == min(count, response.context["cl"].list_per_page)
    return len(queries)


def test_changelist_query_count_does_not_grow_with_the_rows(client, ward):
    client.force_login(ward["clerk"])
    at_10 = _changelist_queries(client, 10, ward)
    at_100 = _changelist_queries(client, 100, ward)
    assert at_10 == at_100


def test_changelist_shows_the_columns_and_a_coloured_deadline(client, ward, settings):
    settings.DUE_SOON_WORKING_DAYS = 2
    today = timezone.localdate()
    calendar = WorkingCalendar()
    late = filed(ward["procedure"], ward["agency"], applicant_name="Trễ Hạn", status=DossierStatus.PROCESSING,
                 received_at=timezone.now(), appointment_date=today - datetime.timedelta(days=7))
    soon = filed(ward["procedure"], ward["agency"], applicant_name="Sắp Hạn", status=DossierStatus.RECEIVED,
                 received_at=timezone.now(), appointment_date=calendar.add_working_days(today, 1))
    ok = filed(ward["procedure"], ward["agency"], applicant_name="Còn Hạn", status=DossierStatus.RECEIVED,
               received_at=timezone.now(), appointment_date=calendar.add_working_days(today, 6))
    client.force_login(ward["clerk"])
    page = client.get(f"{BASE}/", {"viec": "tat-ca"}).content.decode()
    for dossier in (late, soon, ok):
        assert dossier.code in page and dossier.applicant_name in page
    assert ward["procedure"].name in page
    assert 'class="deadline-badge deadline-overdue"' in page and "Quá hạn" in page
    assert 'class="deadline-badge deadline-due-soon">Còn 1 ngày' in page
    assert 'class="deadline-badge deadline-on-time">Còn 6 ngày' in page
    assert 'class="status-badge status-processing"' in page

    overdue = client.get(f"{BASE}/", {"han": "overdue"}).context["cl"].result_list
    assert list(overdue) == [late]
    assert list(client.get(f"{BASE}/", {"han": "due_soon"}).context["cl"].result_list) == [soon]
    assert list(client.get(f"{BASE}/", {"han": "on_time"}).context["cl"].result_list) == [ok]


def test_filters_by_status_procedure_sector_and_date_range(client, ward):
    old = filed(ward["procedure"], ward["agency"], submitted_at=timezone.now() - datetime.timedelta(days=40))
    new = filed(ward["procedure"], ward["agency"])
    client.force_login(ward["clerk"])
    since = (timezone.localdate() - datetime.timedelta(days=10)).isoformat()
    result = client.get(f"{BASE}/", {"submitted_at__tu_ngay": since}).context["cl"].result_list
    assert list(result) == [new]
    until = (timezone.localdate() - datetime.timedelta(days=30)).isoformat()
    assert list(client.get(f"{BASE}/", {"submitted_at__den_ngay": until}).context["cl"].result_list) == [old]
    assert client.get(f"{BASE}/", {"status__exact": "registered"}).context["cl"].result_count == 2
    assert client.get(f"{BASE}/", {"status__exact": "received"}).context["cl"].result_count == 0
    assert client.get(f"{BASE}/", {"procedure__id__exact": ward["procedure"].pk}).context["cl"].result_count == 2
    sector = ward["procedure"].sector
    assert client.get(f"{BASE}/", {"procedure__sector__id__exact": sector.pk}).context["cl"].result_count == 2
    page = client.get(f"{BASE}/").content.decode()
    assert 'name="received_at__tu_ngay"' in page and "Quá hạn" in page


@pytest.mark.parametrize("term", ["0912 345 678", "+84912345678", "Nguyễn Văn", "001090012345"])
def test_search_by_phone_name_and_id_number(client, ward, term):
    dossier = filed(ward["procedure"], ward["agency"])
    client.force_login(ward["clerk"])
    assert list(client.get(f"{BASE}/", {"q": term}).context["cl"].result_list) == [dossier]


def test_search_by_code(client, ward):
    dossier = filed(ward["procedure"], ward["agency"])
    filed(ward["procedure"], ward["agency"])
    client.force_login(ward["clerk"])
    assert list(client.get(f"{BASE}/", {"q": dossier.code}).context["cl"].result_list) == [dossier]


def test_dossier_page_shows_declaration_files_history_and_allowed_actions(client, ward):
    DeclarationFieldFactory(procedure=ward["procedure"], key="ho_ten_con", label="Họ, chữ đệm, tên của con")
    dossier = filed(ward["procedure"], ward["agency"], declaration={"ho_ten_con": "Nguyễn Minh <b>Khang</b>"},
                    declaration_schema=[{"key": "ho_ten_con", "label": "Họ, chữ đệm, tên của con", "type": "text"}])
    attachment = DossierFile(dossier=dossier, kind=DossierFileKind.APPLICATION, component_name="Giấy chứng sinh",
                             original_name="giay-chung-sinh.pdf", content_type="application/pdf", size=len(PDF))
    attachment.file.save("gcs.pdf", ContentFile(PDF), save=True)
    client.force_login(ward["clerk"])
    page = client.get(f"{BASE}/{dossier.pk}/change/").content.decode()
    assert "Họ, chữ đệm, tên của con" in page
    assert "Nguyễn Minh &lt;b&gt;Khang&lt;/b&gt;" in page           # escaped, never markup
    assert f"{BASE}/{dossier.pk}/tep/{attachment.pk}/" in page
    assert "Đăng ký trực tuyến" in page                              # the history
    for label in ("Tiếp nhận hồ sơ", "Gửi yêu cầu bổ sung", "Từ chối", "Ghi nhận rút hồ sơ"):
        assert label in page, label
    assert "Ghi nhận kết quả" not in page and "Dừng xử lý" not in page   # not from "registered"
    assert 'name="_save"' not in page                               # nobody edits a dossier by hand

    download = client.get(f"{BASE}/{dossier.pk}/tep/{attachment.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    assert download["Content-Type"] == "application/pdf"
    assert "no-store" in download["Cache-Control"]


def test_a_specialist_sees_only_their_actions_and_cannot_receive(client, ward):
    dossier = filed(ward["procedure"], ward["agency"])
    expert = specialist(ward["agency"])
    client.force_login(expert)
    page = client.get(f"{BASE}/{dossier.pk}/change/").content.decode()
    assert "Tiếp nhận hồ sơ" not in page and "Gửi yêu cầu bổ sung" in page
    response = client.post(f"{BASE}/{dossier.pk}/thao-tac/receive/", {"receive-version": dossier.version})
    assert response.status_code == 403
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.REGISTERED


def test_clerk_receives_and_is_redirected_with_a_message(client, ward):
    dossier = filed(ward["procedure"], ward["agency"])
    client.force_login(ward["clerk"])
    response = client.post(f"{BASE}/{dossier.pk}/thao-tac/receive/", {"receive-version": dossier.version},
                           follow=True)
    assert response.status_code == 200
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RECEIVED and dossier.appointment_date
    assert "Đã thực hiện" in response.content.decode()
    assert dossier.events.last().actor == ward["clerk"]


def test_a_form_with_missing_input_is_shown_again_with_its_error(client, ward):
    dossier = filed(ward["procedure"], ward["agency"])
    client.force_login(ward["clerk"])
    response = client.post(f"{BASE}/{dossier.pk}/thao-tac/refuse/", {"refuse-version": dossier.version,
                                                                      "refuse-reason": ""})
    assert response.status_code == 400
    assert "Trường này là bắt buộc" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.REGISTERED


def test_an_action_not_allowed_in_the_current_state_is_refused(client, ward):
    dossier = filed(ward["procedure"], ward["agency"])
    client.force_login(ward["clerk"])
    response = client.post(f"{BASE}/{dossier.pk}/thao-tac/return_result/",
                           {"return_result-version": dossier.version, "return_result-method": "in_person"},
                           follow=True)
    assert "không thực hiện được ở trạng thái hiện tại" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.REGISTERED
    assert client.get(f"{BASE}/{dossier.pk}/thao-tac/unknown/").status_code == 404


def test_the_second_clerk_is_told_the_dossier_changed(client, ward):
    dossier = filed(ward["procedure"], ward["agency"])
    seen_version = dossier.version            # both clerks opened the page now
    other = clerk(ward["agency"])
    services.request_supplement(dossier=dossier, actor=other, reason="Thiếu", missing_items=["Ảnh"],
                                expected_version=seen_version)
    client.force_login(ward["clerk"])
    response = client.post(f"{BASE}/{dossier.pk}/thao-tac/refuse/",
                           {"refuse-version": seen_version, "refuse-reason": "Không đủ điều kiện"}, follow=True)
    assert "vừa được cán bộ khác cập nhật" in response.content.decode()
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.SUPPLEMENT_REQUESTED


def test_full_journey_through_the_forms(client, ward, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    dossier = filed(ward["procedure"], ward["agency"])
    boss = specialist(ward["agency"], first_name="Hùng")
    client.force_login(ward["clerk"])

    def post(user, action, **data):
        client.force_login(user)
        dossier.refresh_from_db()
        payload = {f"{action}-{key}": value for key, value in {"version": dossier.version, **data}.items()}
        response = client.post(f"{BASE}/{dossier.pk}/thao-tac/{action}/", payload)
        assert response.status_code == 302, response.content.decode()[:2000]

    post(ward["clerk"], "receive")
    post(ward["clerk"], "assign", specialist=boss.pk)
    post(boss, "record_result", result_note="Đã cấp", result_file=SimpleUploadedFile("kq.pdf", PDF))
    post(ward["clerk"], "return_result", method="in_person", originals_collected="on")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RETURNED
    assert dossier.assigned_to == boss
    assert dossier.files.filter(kind=DossierFileKind.RESULT).count() == 1
    assert [e.action for e in dossier.events.all()] == ["register", "receive", "assign", "record_result",
                                                       "return_result"]


def test_admin_index_counts_overdue_and_due_soon(client, ward):
    today = timezone.localdate()
    filed(ward["procedure"], ward["agency"], status=DossierStatus.PROCESSING,
          appointment_date=today - datetime.timedelta(days=3))
    filed(ward["procedure"], ward["agency"], status=DossierStatus.PROCESSING,
          appointment_date=today - datetime.timedelta(days=1))
    filed(ward["procedure"], ward["agency"], status=DossierStatus.RECEIVED, appointment_date=today)
    other_agency, other_procedure = agency_with_procedure()
    filed(other_procedure, other_agency, status=DossierStatus.PROCESSING,
          appointment_date=today - datetime.timedelta(days=3))
    client.force_login(ward["clerk"])
    page = client.get("/quan-tri/").content.decode()
    assert f'href="{BASE}/?viec=qua-han"><strong>2</strong> Quá hạn</a>' in page
    assert f'href="{BASE}/?viec=sap-den-han"><strong>1</strong> Sắp đến hạn</a>' in page


def test_history_admin_is_read_only(client, ward):
    dossier = filed(ward["procedure"], ward["agency"])
    event = dossier.events.get()
    client.force_login(ward["clerk"])
    assert client.get("/quan-tri/dossiers/dossierevent/add/").status_code == 403
    assert client.get(f"/quan-tri/dossiers/dossierevent/{event.pk}/delete/").status_code == 403
    response = client.post(f"/quan-tri/dossiers/dossierevent/{event.pk}/change/", {"public_note": "sửa"})
    assert response.status_code == 403
    event.refresh_from_db()
    assert event.public_note == ""


def test_groups_get_their_permissions():
    from dossiers.roles import AGENCY_LEADER, RECEPTION_CLERK, SPECIALIST, ensure_groups

    groups = ensure_groups()
    names = {name: set(group.permissions.values_list("codename", flat=True)) for name, group in groups.items()}
    assert {"view_dossier", "process_dossier"} <= names[RECEPTION_CLERK]
    assert "settle_dossier" not in names[RECEPTION_CLERK]
    assert {"view_dossier", "settle_dossier"} <= names[SPECIALIST] and "process_dossier" not in names[SPECIALIST]
    assert {"process_dossier", "settle_dossier", "stop_dossier"} <= names[AGENCY_LEADER]
    assert ensure_groups()[RECEPTION_CLERK].pk == groups[RECEPTION_CLERK].pk     # idempotent


# --- Login hardening ------------------------------------------------------------------------------


def test_login_is_locked_after_repeated_failures(client, settings):
    from tests.factories import UserFactory

    UserFactory(username="canbo.khoa")
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post("/quan-tri/login/", {"username": "canbo.khoa", "password": "sai-mat-khau"})
        assert response.status_code == 200 and "Tài khoản tạm thời bị khóa" not in response.content.decode()
    response = client.post("/quan-tri/login/", {"username": "canbo.khoa", "password": "sai-mat-khau"})
    assert response.status_code == 429
    # Locked, even with the right password.
    response = client.post("/quan-tri/login/", {"username": "canbo.khoa", "password": "mat-khau-thu-nghiem-2026"})
    assert response.status_code == 429
    page = response.content.decode()
    assert "Tài khoản tạm thời bị khóa" in page and "Vui lòng thử lại sau 1 giờ" in page
    assert "_auth_user_id" not in client.session


def test_strong_passwords_are_required():
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ("12345678901234", "password1234", "ngan-qua"):
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("MotCua-HaNoi-2025!")
