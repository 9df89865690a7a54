"""The filing wizard through its pages (Django test client, captcha in test mode)."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from dossiers.models import Dossier, DossierEvent, FilingDraft
from dossiers.workflow import DossierStatus, Event
from notifications.models import Notification
from tests.factories import FeeFactory, ProcedureFactory
from tests.filing.support import (  # noqa: F401 - fixtures
    APPLICANT,
    PASSED,
    file_through_wizard,
    fileable_procedure,
    fresh_rate_limits,
    pdf_bytes,
    private_storage,
    two_agency_procedure,
    upload,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage", "fresh_rate_limits")]


def url(name, procedure, *args):
    return reverse(f"filing:{name}", args=[procedure.code, *args])


def test_a_level_3_dossier_is_filed_and_the_success_page_shows_its_code(client):
    procedure = fileable_procedure(fields=[{"key": "ho_ten_con", "label": "Họ, chữ đệm, tên của trẻ",
                                            "is_required": True}])
    response = file_through_wizard(client, procedure, declaration={"tk-ho_ten_con": "Trần Minh Khôi"})
    dossier = Dossier.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("success", procedure, dossier.code)
    page = client.get(response["Location"])
    content = page.content.decode()
    assert dossier.code in content
    assert re.fullmatch(r"\d{3}\.\d{2}\.12\.H26-\d{6}-0001", dossier.code)
    assert dossier.status == DossierStatus.REGISTERED
    assert dossier.applicant_phone == "+84912345678"
    assert dossier.declaration == {"ho_ten_con": "Trần Minh Khôi"}
    assert dossier.declaration_schema[0]["label"] == "Họ, chữ đệm, tên của trẻ"
    assert dossier.files.count() == 1
    event = DossierEvent.objects.get(dossier=dossier)
    assert (event.from_status, event.to_status, event.action) == ("", DossierStatus.REGISTERED, "register")
    assert set(Notification.objects.filter(dossier=dossier).values_list("event", "channel")) == {
        (Event.REGISTERED, "sms"), (Event.REGISTERED, "email")}
    assert "bản chính" in content and procedure.name in content


# --- Which procedures can be filed -----------------------------------------------------------------

@pytest.mark.parametrize("step", ["start", "agency", "declaration", "documents",
                                  "review", "confirm"])
def test_a_level_2_procedure_answers_every_step_with_an_explanation_and_a_link_back(client, step):
    procedure = ProcedureFactory(service_level=2)
    response = client.get(url(step, procedure))
    assert response.status_code == 200
    content = response.content.decode()
    assert "chưa hỗ trợ nộp hồ sơ trực tuyến" in content
    assert procedure.get_absolute_url() in content
    assert client.post(url(step, procedure)).status_code == (405 if step == "review" else 200)
    assert not FilingDraft.objects.exists()


@pytest.mark.parametrize("published, code", [(False, None), (True, "khong-co-ma-nay")])
def test_an_unpublished_or_unknown_procedure_gets_a_friendly_not_found_page(client, published, code):
    procedure = ProcedureFactory(service_level=4, is_published=published)
    response = client.get(reverse("filing:start", args=[code or procedure.code]))
    assert response.status_code == 404
    assert "Không tìm thấy thủ tục" in response.content.decode()
    assert reverse("procedures:catalogue") in response.content.decode()


def test_the_start_page_lists_what_to_prepare_and_creates_nothing_until_the_citizen_starts(client):
    procedure = fileable_procedure(components=2)
    response = client.get(url("start", procedure))
    assert response.status_code == 200
    assert "Tờ khai đăng ký số 2" in response.content.decode()
    assert not FilingDraft.objects.exists()
    response = client.post(url("start", procedure))
    assert FilingDraft.objects.count() == 1
    # One agency: its step is skipped.
    assert response["Location"] == url("declaration", procedure)


def test_a_step_without_a_draft_sends_the_citizen_back_to_the_start(client):
    procedure = fileable_procedure()
    response = client.get(url("declaration", procedure))
    assert response["Location"] == url("start", procedure)


# --- Agency -------------------------------------------------------------------------------------------------

def test_the_agency_step_groups_agencies_by_parent_and_refuses_another_procedures_agency(client):
    procedure, first, second = two_agency_procedure()
    client.post(url("start", procedure))
    page = client.get(url("agency", procedure)).content.decode()
    assert "UBND quận Hoàn Kiếm" in page and first.name in page and second.name in page
    stranger = fileable_procedure().agencies.get()
    response = client.post(url("agency", procedure), {"agency": stranger.pk})
    assert response.status_code == 200
    assert "Vui lòng kiểm tra lại thông tin" in response.content.decode()
    response = client.post(url("agency", procedure), {})
    assert "Vui lòng chọn cơ quan tiếp nhận hồ sơ." in response.content.decode()
    response = client.post(url("agency", procedure), {"agency": second.pk})
    assert response["Location"] == url("declaration", procedure)
    assert FilingDraft.objects.get().agency == second


def test_many_agencies_get_a_search_box_that_filters_on_the_server(client):
    from tests.factories import AgencyFactory

    agencies = [AgencyFactory(name=f"UBND phường Số {n}") for n in range(9)] + [
        AgencyFactory(name="UBND phường Hàng Bạc")]
    procedure = fileable_procedure(agencies=agencies)
    client.post(url("start", procedure))
    page = client.get(url("agency", procedure)).content.decode()
    assert 'name="q"' in page and "UBND phường Số 3" in page
    page = client.get(url("agency", procedure), {"q": "hang bac"}).content.decode()
    assert "UBND phường Hàng Bạc" in page and "UBND phường Số 3" not in page
    page = client.get(url("agency", procedure), {"q": "<b>không có</b>"}).content.decode()
    assert "<b>không có</b>" not in page and "Không có cơ quan nào khớp" in page


def test_a_dossier_goes_to_the_chosen_agency(client):
    procedure, _first, second = two_agency_procedure()
    file_through_wizard(client, procedure, agency=second)
    assert Dossier.objects.get().agency == second


# --- Declaration -----------------------------------------------------------------------------------------

def test_declaration_errors_are_shown_next_to_fields_and_in_a_summary_and_keep_the_input(client):
    procedure = fileable_procedure(fields=[
        {"key": "ngay_sinh_con", "label": "Ngày sinh của trẻ", "field_type": "date", "is_required": True}])
    client.post(url("start", procedure))
    data = {**APPLICANT, "nd-phone": "12345", "nd-id_number": "0011900", "nd-address": "<script>alert(1)</script>",
            "tk-ngay_sinh_con": "2999-01-01"}
    response = client.post(url("declaration", procedure), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert "Vui lòng kiểm tra lại thông tin" in content
    assert "Số điện thoại di động không hợp lệ" in content
    assert "Số định danh cá nhân (CCCD) phải gồm đúng 12 chữ số." in content
    assert "Ngày không được sau ngày hôm nay." in content
    assert 'value="12345"' in content and 'value="Nguyễn Thị Bình"' in content
    assert "<script>alert(1)</script>" not in content and "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    # What was typed is kept on the server too: coming back shows it.
    again = client.get(url("declaration", procedure)).content.decode()
    assert 'value="Nguyễn Thị Bình"' in again and 'value="12345"' in again
    assert not Dossier.objects.exists()


@pytest.mark.parametrize("typed", ["0912 345 678", "+84912345678", "84-912-345-678", "0912.345.678"])
def test_phone_numbers_in_any_common_form_are_stored_normalised(client, typed):
    procedure = fileable_procedure()
    file_through_wizard(client, procedure, extra={"nd-phone": typed})
    assert Dossier.objects.get().applicant_phone == "+84912345678"


def test_an_organisation_gives_its_name_and_tax_code_when_the_procedure_allows_it(client):
    procedure = fileable_procedure(for_organisations=True)
    client.post(url("start", procedure))
    response = client.post(url("declaration", procedure), {**APPLICANT, "nd-applicant_type": "organisation"})
    content = response.content.decode()
    assert "Vui lòng nhập tên tổ chức, doanh nghiệp." in content
    assert "Vui lòng nhập mã số thuế" in content
    file_through_wizard(client, procedure, extra={"nd-applicant_type": "organisation",
                                                  "nd-organisation_name": "Công ty TNHH Hoa Sen",
                                                  "nd-tax_code": "0101234567 001"})
    dossier = Dossier.objects.get()
    assert (dossier.applicant_type, dossier.organisation_name, dossier.organisation_tax_code) == (
        "organisation", "Công ty TNHH Hoa Sen", "0101234567-001")


def test_a_citizen_only_procedure_has_no_organisation_fields(client):
    procedure = fileable_procedure()
    client.post(url("start", procedure))
    content = client.get(url("declaration", procedure)).content.decode()
    assert "Mã số thuế" not in content and "Họ và tên" in content


# --- Fees and delivery --------------------------------------------------------------------------------------

def test_level_3_takes_its_only_fee_automatically_and_stays_registered(client):
    procedure = fileable_procedure()
    FeeFactory(procedure=procedure, name="Lệ phí cấp bản sao", amount=8000)
    file_through_wizard(client, procedure)
    dossier = Dossier.objects.get()
    assert (dossier.fee_name, dossier.fee_amount, dossier.status) == ("Lệ phí cấp bản sao", 8000,
                                                                      DossierStatus.REGISTERED)
    assert dossier.delivery_method == "in_person"
    page = client.get(url("success", procedure, dossier.code)).content.decode()
    assert "8.000 đồng" in page
    assert "Thanh toán trực tuyến" not in page


def test_level_4_with_a_fee_waits_for_payment_and_offers_the_online_payment(client):
    procedure = fileable_procedure(level=4, allows_electronic_result=False)
    FeeFactory(procedure=procedure, name="Trong nước", amount=100000)
    FeeFactory(procedure=procedure, name="Có yếu tố nước ngoài", amount=1000000, order=1)
    foreign = procedure.fees.get(order=1)
    client.post(url("start", procedure))
    response = client.post(url("declaration", procedure), {**APPLICANT, "lp-delivery_method": "online"})
    assert response.status_code == 200  # no electronic result for this procedure, and no fee chosen
    content = response.content.decode()
    assert "Vui lòng chọn trường hợp phí, lệ phí áp dụng." in content
    file_through_wizard(client, procedure, extra={"lp-fee": foreign.pk, "lp-delivery_method": "post",
                                                  "lp-delivery_address": ""})
    dossier = Dossier.objects.get()
    assert dossier.status == DossierStatus.AWAITING_PAYMENT
    assert (dossier.fee_name, dossier.fee_amount) == ("Có yếu tố nước ngoài", 1000000)
    assert dossier.delivery_method == "post"
    assert dossier.delivery_address == APPLICANT["nd-address"]  # prefilled from the applicant's address
    event = dossier.events.get()
    assert (event.from_status, event.to_status) == ("", DossierStatus.AWAITING_PAYMENT)
    from dossiers.links import payment_path

    page = client.get(url("success", procedure, dossier.code)).content.decode()
    assert "Thanh toán trực tuyến" in page and f'href="{payment_path(dossier)}"' in page


def test_level_4_without_a_fee_is_registered_and_may_take_the_result_online(client):
    procedure = fileable_procedure(level=4, allows_electronic_result=True)
    file_through_wizard(client, procedure, extra={"lp-delivery_method": "online"})
    dossier = Dossier.objects.get()
    assert (dossier.status, dossier.fee_amount, dossier.delivery_method) == (
        DossierStatus.REGISTERED, 0, "online")


# --- Documents -------------------------------------------------------------------------------------------

def _at_documents(client, procedure):
    client.post(url("start", procedure))
    assert client.post(url("declaration", procedure), APPLICANT).status_code == 302


def test_required_documents_are_enforced_and_good_uploads_survive_a_bad_one(client):
    procedure = fileable_procedure(components=2)
    first, second = procedure.components.all()
    _at_documents(client, procedure)
    response = client.post(url("documents", procedure), {
        "hanh-dong": "tiep-tuc",
        f"tp-{first.pk}": [upload("giay khai sinh.pdf", pdf_bytes())],
        f"tp-{second.pk}": [upload("virus.pdf", b"MZ\x90\x00 not really a pdf")],
    })
    assert response.status_code == 200
    content = response.content.decode()
    assert "không đúng định dạng cho phép" in content
    assert "giay khai sinh.pdf" in content  # kept
    response = client.post(url("documents", procedure), {"hanh-dong": "tiep-tuc"})
    assert "Vui lòng tải lên giấy tờ bắt buộc này." in response.content.decode()
    response = client.post(url("documents", procedure), {
        "hanh-dong": "tiep-tuc", f"tp-{second.pk}": [upload("a.png", pdf_bytes()), upload("b.pdf", pdf_bytes())]})
    assert response["Location"] == url("review", procedure)
    draft = FilingDraft.objects.get()
    assert sorted(draft.files.values_list("original_name", flat=True)) == ["a.pdf", "b.pdf", "giay khai sinh.pdf"]


def test_size_limits_per_file_and_per_dossier(client, settings):
    settings.UPLOAD_MAX_FILE_BYTES = 2000
    settings.UPLOAD_MAX_DOSSIER_BYTES = 3000
    procedure = fileable_procedure()
    component = procedure.components.get()
    _at_documents(client, procedure)
    response = client.post(url("documents", procedure), {f"tp-{component.pk}": [upload("lon.pdf", pdf_bytes(2500))]})
    assert "vượt quá giới hạn" in response.content.decode()
    client.post(url("documents", procedure), {f"tp-{component.pk}": [upload("mot.pdf", pdf_bytes(1500))]})
    response = client.post(url("documents", procedure), {f"tp-{component.pk}": [upload("hai.pdf", pdf_bytes(1600))]})
    assert "Tổng dung lượng các tệp của hồ sơ" in response.content.decode()
    assert list(FilingDraft.objects.get().files.values_list("original_name", flat=True)) == ["mot.pdf"]


def test_a_file_can_be_removed_and_its_stored_copy_goes_too(client, private_storage,  # noqa: F811
                                                            django_capture_on_commit_callbacks):
    procedure = fileable_procedure()
    component = procedure.components.get()
    _at_documents(client, procedure)
    client.post(url("documents", procedure), {f"tp-{component.pk}": [upload("x.pdf", pdf_bytes())]})
    draft_file = FilingDraft.objects.get().files.get()
    stored = private_storage / draft_file.file.name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("documents", procedure), {"xoa": str(draft_file.pk)})
    assert response.status_code == 302
    assert not FilingDraft.objects.get().files.exists()
    assert not stored.exists()


# --- Review, confirm, exactly once ---------------------------------------------------------------------------

def test_review_shows_every_step_with_change_links_and_a_change_comes_back_to_it(client):
    procedure = fileable_procedure(fields=[{"key": "noi_sinh", "label": "Nơi sinh", "is_required": True}])
    client.post(url("start", procedure))
    client.post(url("declaration", procedure), {**APPLICANT, "tk-noi_sinh": "Bệnh viện Phụ sản Hà Nội"})
    client.post(url("documents", procedure), {"hanh-dong": "tiep-tuc",
                                                   f"tp-{procedure.components.get().pk}": [upload("t.pdf", pdf_bytes())]})
    page = client.get(url("review", procedure)).content.decode()
    for text in ("Nguyễn Thị Bình", "+84912345678", "Bệnh viện Phụ sản Hà Nội", "t.pdf", "Thay đổi",
                 url("declaration", procedure) + "?tro-ve=xem-lai"):
        assert text in page
    response = client.post(url("declaration", procedure), {**APPLICANT, "tk-noi_sinh": "Nhà riêng",
                                                                "tro-ve": "xem-lai"})
    assert response["Location"] == url("review", procedure)
    assert "Nhà riêng" in client.get(url("review", procedure)).content.decode()


def test_review_of_an_incomplete_draft_sends_to_the_missing_step(client):
    procedure = fileable_procedure()
    client.post(url("start", procedure))
    client.post(url("declaration", procedure), APPLICANT)
    assert client.get(url("review", procedure))["Location"] == url("documents", procedure)
    assert client.get(url("confirm", procedure))["Location"] == url("documents", procedure)


def test_a_wrong_captcha_or_missing_consent_files_nothing_and_says_why(client):
    procedure = fileable_procedure()
    response = file_through_wizard(client, procedure, captcha="SAI")
    assert response.status_code == 200
    content = response.content.decode()
    assert "Mã xác nhận không đúng" in content
    assert "Lấy mã khác" in content
    # The spoken alternative needs flite (installed by .ci/run; see test_captcha_audio.py).
    assert ("Nghe mã xác nhận" in content) == bool(settings.CAPTCHA_FLITE_PATH)
    assert not Dossier.objects.exists()
    token = FilingDraft.objects.get().submission_token
    response = client.post(url("confirm", procedure), {"submission_token": token, "captcha_0": "x",
                                                            "captcha_1": PASSED})
    assert "Vui lòng đánh dấu xác nhận cam đoan" in response.content.decode()
    assert not Dossier.objects.exists()


def test_a_resubmitted_confirm_or_a_refresh_never_creates_a_second_dossier(client):
    procedure = fileable_procedure()
    first = file_through_wizard(client, procedure)
    token = FilingDraft.objects.get().submission_token
    again = client.post(url("confirm", procedure), {"submission_token": token, "captcha_0": "x",
                                                         "captcha_1": PASSED, "consent": "on"})
    assert again.status_code == 302 and again["Location"] == first["Location"]
    # Even with a wrong captcha: the dossier exists, the answer is its page.
    third = client.post(url("confirm", procedure), {"submission_token": token, "captcha_1": "sai"})
    assert third["Location"] == first["Location"]
    # A step of the filed draft (the back button) opens its dossier's page; "Thực hiện" starts anew.
    assert client.get(url("review", procedure))["Location"] == first["Location"]
    assert client.post(url("start", procedure))["Location"] == url("declaration", procedure)
    assert FilingDraft.objects.count() == 2 and Dossier.objects.count() == 1


def test_the_success_page_is_only_for_the_browser_that_filed(client, django_user_model):
    from django.test import Client

    procedure = fileable_procedure()
    response = file_through_wizard(client, procedure)
    assert client.get(response["Location"]).status_code == 200
    assert Client().get(response["Location"]).status_code == 404
    dossier = Dossier.objects.get()
    receipt = url("receipt", procedure, dossier.code)
    assert client.get(receipt).status_code == 200 and Client().get(receipt).status_code == 404
    guessed = dossier.code[:-4] + "0002"
    assert client.get(url("success", procedure, guessed)).status_code == 404


def test_a_browser_that_files_a_procedure_twice_sees_both_success_pages_and_no_one_else_does(client):
    from django.test import Client

    procedure = fileable_procedure()
    first = file_through_wizard(client, procedure)["Location"]
    second = file_through_wizard(client, procedure)["Location"]
    assert first != second and Dossier.objects.count() == 2
    for location in (first, second):
        page = client.get(location)
        assert page.status_code == 200 and location.rstrip("/").rsplit("/", 1)[1] in page.content.decode()
        assert Client().get(location).status_code == 404
    # A third draft, opened from another draft's resume link, keeps them too.
    client.post(url("start", procedure))
    assert client.get(first).status_code == 200 and client.get(second).status_code == 200


def test_the_receipt_is_printable_and_escapes_what_the_citizen_typed(client):
    procedure = fileable_procedure(fields=[{"key": "ghi_chu", "label": "Ghi chú"}])
    file_through_wizard(client, procedure, declaration={"tk-ghi_chu": "<img src=x onerror=alert(1)>"})
    dossier = Dossier.objects.get()
    page = client.get(url("receipt", procedure, dossier.code)).content.decode()
    assert dossier.code in page and "data-print" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert dossier.get_lookup_url().replace("?", "") in page.replace("?", "")


def test_submissions_are_rate_limited_per_client_address(client, settings):
    settings.SUBMIT_RATE = "2/h"
    procedure = fileable_procedure()
    file_through_wizard(client, procedure, captcha="sai")
    file_through_wizard(client, procedure, captcha="sai")
    response = file_through_wizard(client, procedure)
    assert response.status_code == 429
    assert "quá nhiều lần" in response.content.decode()
    assert not Dossier.objects.exists()


def test_every_form_needs_its_csrf_token():
    from django.test import Client

    procedure = fileable_procedure()
    client = Client(enforce_csrf_checks=True)
    assert client.post(url("start", procedure)).status_code == 403
    page = client.get(url("start", procedure)).content.decode()
    assert "csrfmiddlewaretoken" in page


def test_the_dossier_keeps_the_language_of_the_request(client):
    from django.conf import settings as django_settings

    procedure = fileable_procedure()
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    try:
        file_through_wizard(client, procedure)
    finally:
        translation.activate(django_settings.LANGUAGE_CODE)  # the request left English active in this thread
    assert Dossier.objects.get().language == "en"


# --- The demo catalogue -------------------------------------------------------------------------------------

def _answer(spec):
    """A valid answer for one declaration field of the seeded catalogue."""
    from datetime import date
    from decimal import Decimal

    kind = spec["type"]
    if kind == "number":
        return str(Decimal(spec["min"]) if spec["min"] is not None else 1)
    if kind == "date":
        return date(2020, 1, 15).isoformat()
    if kind == "choice":
        return spec["choices"][0]
    if kind == "multichoice":
        return [spec["choices"][0]]
    if kind == "checkbox":
        return "on"
    if kind == "phone":
        return "0987 654 321"
    if kind == "email":
        return "cong.dan@example.com"
    if kind == "id_number":
        return "001090099999"
    text = "Nguyễn Văn An" if kind == "text" else "Nội dung khai trên tờ khai."
    if spec["min"] is not None:
        text = text.ljust(int(Decimal(spec["min"])), ".")
    return text[: int(Decimal(spec["max"]))] if spec["max"] is not None else text


def test_every_seeded_level_3_and_4_procedure_can_be_filed(client, settings):
    from django.core.management import call_command

    from dossiers.declaration import schema_snapshot
    from procedures.models import Procedure

    settings.SUBMIT_RATE = "100000/h"
    call_command("seed_demo", "--no-dossiers", stdout=None)
    procedures = list(Procedure.objects.published().filter(service_level__gte=3).prefetch_related("agencies"))
    assert procedures
    for procedure in procedures:
        declaration = {f"tk-{spec['key']}": _answer(spec) for spec in schema_snapshot(procedure)}
        # Organisation details are ignored for a citizen and required where only organisations apply.
        extra = {"nd-applicant_type": "citizen", "nd-organisation_name": "Hộ kinh doanh Hoa Sen",
                 "nd-tax_code": "0101234567"}
        fees = list(procedure.fees.all())
        if len(fees) > 1:
            extra["lp-fee"] = fees[0].pk
        if procedure.service_level == 4:
            extra["lp-delivery_method"] = "in_person"
        agencies = list(procedure.agencies.filter(is_active=True))
        response = file_through_wizard(client, procedure, declaration=declaration, extra=extra,
                                       agency=agencies[0] if len(agencies) > 1 else None)
        assert response.status_code == 302, procedure.code
        dossier = Dossier.objects.get(procedure=procedure, submission_token__isnull=False)
        assert client.get(response["Location"]).status_code == 200
        assert dossier.declaration_schema == schema_snapshot(procedure)
