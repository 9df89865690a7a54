"""The public lookup (/tim-kiem/): code normalisation, masking, what is shown and what never is."""

import re
import statistics
import time
from datetime import date

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from dossiers import services
from dossiers.models import Dossier, DossierFile, SupplementRequest
from dossiers.workflow import DossierStatus
from portal.captcha import challenge_of, new_key
from tests.factories import AgencyFactory, FeeFactory, ProcedureFactory, UserFactory
from tests.tracking.helpers import (
    PHONE_LAST4,
    clerk_of,
    filed_dossier,
    lookup_post,
    page_text,
    received,
    returned,
)
from tracking.lookup import mask_name, normalize_code
from tracking.views import bench_lookup_floor

pytestmark = pytest.mark.django_db

CODE = "000.00.12.H26-250704-0042"


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    # The per-process cache holds the rate-limit counters; each test starts from zero.
    cache.clear()
    yield
    cache.clear()


@pytest.mark.parametrize("typed", [
    CODE,
    CODE.lower(),
    f"  {CODE}  ",
    f"\n{CODE}\r\n",
    "000.00.12.H26-\n250704-0042",            # a line break pasted from an SMS
    "000.00.12.H26 - 250704 - 0042",
    "000.00.12.h26\u2013250704\u20130042",     # en dashes from a word processor
    "\uff10\uff10\uff10.00.12.H26-250704-0042",  # full-width digits
    f"\u200b{CODE}\ufeff",                     # zero-width characters from a copy
])
def test_code_is_normalised_however_typed(typed):
    assert normalize_code(typed) == CODE


def test_normalising_nothing_gives_nothing():
    assert normalize_code(None) == ""
    assert normalize_code(" \n\t ") == ""


@pytest.mark.parametrize(("name", "masked"), [
    ("Nguyễn Văn An", "Nguyễn V** A*"),
    ("Lê Thị Thu Hà", "Lê T** T** H*"),
    ("  Trần   Quốc  Tuấn ", "Trần Q*** T***"),
    ("Đặng Ánh", "Đặng Á**"),
    ("Nguye\u0302\u0303n Văn An", "Nguyễn V** A*"),  # decomposed (NFD) input
    ("Mai", "M**"),
    ("", ""),
])
def test_name_is_masked(name, masked):
    assert mask_name(name) == masked


def test_qr_code_link_prefills_the_code_and_still_asks_the_captcha(client):
    dossier = filed_dossier(code=CODE)
    response = client.get(dossier.get_lookup_url())
    assert response.status_code == 200
    text = page_text(response)
    assert f'value="{CODE}"' in text
    assert 'name="captcha_1"' in text
    assert "Mã xác nhận" in text
    assert "Lấy mã khác" in text
    # The GET only fills the form: nothing about the dossier yet.
    assert "Kết quả tra cứu" not in text
    assert dossier.procedure.name not in text


def test_lookup_shows_the_dossier_however_the_code_is_typed(client):
    dossier = filed_dossier(code=CODE, applicant_name="Nguyễn Văn An")
    response = lookup_post(client, f"  {CODE.lower()[:14]}\n{CODE.lower()[14:]} ")
    assert response.status_code == 200
    text = page_text(response)
    assert "Kết quả tra cứu" in text
    assert CODE in text
    assert dossier.procedure.name in text
    assert dossier.agency.name in text
    assert "Nguyễn V** A*" not in text   # the masked name needs the second factor
    assert "Đã đăng ký trực tuyến, chờ tiếp nhận" in text
    assert "Đăng ký trực tuyến thành công" in text   # the first step of the timeline
    facts = dict(re.findall(r"<dt>([^<]+)</dt><dd>([^<]*)</dd>", text))
    assert facts["Ngày đăng ký"] == timezone.localtime(dossier.submitted_at).strftime("%d/%m/%Y %H:%M")
    assert [facts[name] for name in ("Ngày tiếp nhận", "Ngày hẹn trả", "Ngày trả kết quả")] == ["—"] * 3
    assert timezone.localtime(dossier.submitted_at).strftime("%d/%m/%Y") in text


def test_lookup_shows_dates_of_each_stage(client):
    dossier = filed_dossier(code=CODE)
    clerk = clerk_of(dossier.agency)
    dossier = returned(dossier, clerk)
    text = page_text(lookup_post(client, CODE))
    assert "Đã trả kết quả" in text
    assert dossier.appointment_date.strftime("%d/%m/%Y") in text
    assert timezone.localtime(dossier.received_at).strftime("%d/%m/%Y %H:%M") in text
    assert timezone.localtime(dossier.returned_at).strftime("%d/%m/%Y %H:%M") in text
    for label in ("Đã tiếp nhận, hẹn ngày trả", "Đang xử lý", "Đã có kết quả", "Đã trả kết quả"):
        assert label in text


# Every concrete field of Dossier is either shown by the lookup or must never appear on it.
# A field added later fails test_every_dossier_field_is_classified until it is put in one set.
SHOWN_FIELDS = {
    "id", "code", "procedure", "agency", "status", "submitted_at", "received_at", "appointment_date",
    "returned_at", "fee_name", "fee_amount", "delivery_method",
}
NEVER_SHOWN_FIELDS = {
    "applicant_name", "applicant_birth_date", "applicant_id_number", "applicant_phone", "applicant_email",
    "applicant_address", "organisation_name", "organisation_tax_code", "declaration", "declaration_schema",
    "delivery_address", "tracking_number", "assigned_to", "result_note", "closed_reason", "submission_token",
    "applicant_search_name",  # the name without diacritics, for the back office's search
    # Internal bookkeeping, shown nowhere public (numbers, so not searched for in the page).
    "version", "language", "applicant_type", "remaining_working_days", "result_ready_at",
    "channel",
}


def test_every_dossier_field_is_classified():
    fields = {field.name for field in Dossier._meta.concrete_fields}
    assert fields - SHOWN_FIELDS - NEVER_SHOWN_FIELDS == set(), "classify the new Dossier fields for the lookup"


def _fully_filled_dossier():
    """A dossier holding a distinctive value in every personal field, with files, notes and a specialist."""
    specialist = UserFactory(username="chuyenvien.bimat", first_name="Phạm", last_name="Bí Mật")
    procedure = ProcedureFactory()
    dossier = filed_dossier(
        code=CODE, procedure=procedure,
        applicant_name="Nguyễn Văn An",
        applicant_birth_date=date(1987, 9, 23),
        applicant_id_number="001087654321",
        applicant_phone="+84987654321",
        applicant_email="nguyen.van.an.bimat@example.com",
        applicant_address="Số 99 ngõ Bí Mật, phường Hàng Trống, Hà Nội",
        organisation_name="Công ty TNHH Bí Mật Riêng",
        organisation_tax_code="0109876543",
        declaration={"ho_ten_con": "Nguyễn Thị Bống", "noi_sinh": "Bệnh viện Phụ sản Trung ương Bí Mật",
                     "so_con": 2},
        declaration_schema=[{"key": "ho_ten_con", "label": "Họ tên người con được khai sinh"},
                            {"key": "noi_sinh", "label": "Nơi sinh cụ thể của con"}],
        delivery_address="Số 7 đường Giao Nhận Bí Mật",
        tracking_number="EV123456789VN",
        result_note="Ghi chú kết quả riêng tư",
        closed_reason="Lý do đóng riêng tư",
        fee_name="Lệ phí đăng ký khai sinh",
        fee_amount=8000,
    )
    Dossier.objects.filter(pk=dossier.pk).update(assigned_to=specialist)
    DossierFile.objects.create(dossier=dossier, component_name="Giấy chứng sinh", file="dossiers/x/chung-sinh.pdf",
                               original_name="giay-chung-sinh-cua-be-bong.pdf", content_type="application/pdf",
                               size=1234)
    clerk = clerk_of(dossier.agency, username="canbo.motcua.bimat")
    services.request_supplement(dossier=dossier, actor=clerk, reason="Thiếu bản sao giấy chứng sinh.",
                                missing_items=["Bản sao giấy chứng sinh"])
    SupplementRequest.objects.filter(dossier=dossier).update(citizen_note="Ghi chú công dân riêng tư")
    services.refuse_dossier(dossier=dossier, actor=clerk, reason="Hồ sơ không đủ điều kiện theo quy định.")
    # An internal note on the record too (never for the citizen's eyes, nor anyone else's).
    services.record_event(dossier, action="note", from_status=dossier.status, actor=clerk,
                          internal_note="Nội bộ: người nộp từng bị nhắc nhở")
    dossier.refresh_from_db()
    return dossier


NEVER_SHOWN_VALUES = [
    "Nguyễn Văn An", "Văn", "1987", "23/09", "001087654321", "987654321", "0987654321", "+84987654321",
    "nguyen.van.an.bimat@example.com", "Số 99 ngõ Bí Mật", "Hàng Trống", "Công ty TNHH Bí Mật Riêng",
    "0109876543", "Nguyễn Thị Bống", "Bệnh viện Phụ sản Trung ương Bí Mật", "Họ tên người con được khai sinh",
    "Nơi sinh cụ thể của con", "Số 7 đường Giao Nhận Bí Mật", "EV123456789VN", "Ghi chú kết quả riêng tư",
    "Lý do đóng riêng tư", "giay-chung-sinh-cua-be-bong", "chung-sinh.pdf", "Ghi chú công dân riêng tư",
    "Nội bộ: người nộp từng bị nhắc nhở", "chuyenvien.bimat", "Bí Mật", "canbo.motcua.bimat",
]


def test_lookup_never_shows_personal_data_or_internal_notes(client):
    dossier = _fully_filled_dossier()
    response = lookup_post(client, CODE, phone_last4="4321")
    assert response.status_code == 200
    text = page_text(response)
    # What is shown…
    assert CODE in text and dossier.procedure.name in text and dossier.agency.name in text
    assert "Nguyễn V** A*" in text
    assert "Hồ sơ không đủ điều kiện theo quy định." in text   # a refusal's reason is for the citizen
    assert "Thiếu bản sao giấy chứng sinh." in text
    # …and what never is, from every field the dossier holds, its files, its history and its requests.
    for value in NEVER_SHOWN_VALUES:
        assert value not in text, f"the lookup page shows {value!r}"
    assert str(dossier.submission_token or "never-set") not in text


def test_organisation_name_is_masked_too(client):
    filed_dossier(code=CODE, applicant_type="organisation", applicant_name="Trần Thị Bình",
                  organisation_name="Công ty Cổ phần Sông Hồng")
    text = page_text(lookup_post(client, CODE, phone_last4=PHONE_LAST4))
    assert "Công t* C* p*** S*** H***" in text
    assert "Sông Hồng" not in text and "Trần Thị Bình" not in text


def test_timeline_shows_public_steps_and_notes_only(client):
    dossier = filed_dossier(code=CODE)
    clerk = clerk_of(dossier.agency)
    services.receive_dossier(dossier=dossier, actor=clerk, note="Nội bộ: kiểm tra kỹ giấy tờ")
    text = page_text(lookup_post(client, CODE))
    dossier.refresh_from_db()
    assert "Đăng ký trực tuyến thành công" in text
    assert "Đã tiếp nhận, hẹn ngày trả" in text
    assert f"Ngày hẹn trả: {dossier.appointment_date:%d/%m/%Y}" in " ".join(text.split())
    assert "Nội bộ: kiểm tra kỹ giấy tờ" not in text


@pytest.mark.parametrize(("status_path", "expected"), [
    ("registered", ["Mang bản chính và phí, lệ phí đến bộ phận một cửa", "mang bản chính các giấy tờ",
                    "Nộp phí, lệ phí tại bộ phận một cửa: 50.000 đồng (Lệ phí)."]),
    ("received", ["Chờ kết quả giải quyết", "Ngày hẹn trả kết quả"]),
    ("supplement", ["Bổ sung hồ sơ", "Thiếu tờ khai có chữ ký", "Tờ khai đăng ký khai sinh (bản có chữ ký)",
                    "Bản sao CCCD của cha"]),
    ("result_ready", ["Đến nhận kết quả tại bộ phận một cửa", "Mang giấy tờ tùy thân"]),
    ("returned", ["Hồ sơ đã hoàn thành", "Đánh giá mức độ hài lòng"]),
    ("refused", ["Hồ sơ không được giải quyết", "Không đủ điều kiện"]),
])
def test_what_to_do_now(client, status_path, expected):
    procedure = ProcedureFactory(service_level=3)
    dossier = filed_dossier(code=CODE, procedure=procedure, fee_name="Lệ phí", fee_amount=50000)
    clerk = clerk_of(dossier.agency)
    if status_path == "received":
        received(dossier, clerk)
    elif status_path == "supplement":
        services.request_supplement(dossier=dossier, actor=clerk, reason="Thiếu tờ khai có chữ ký.",
                                    missing_items="Tờ khai đăng ký khai sinh (bản có chữ ký)\nBản sao CCCD của cha")
    elif status_path == "result_ready":
        received(dossier, clerk)
        services.assign_dossier(dossier=dossier, actor=clerk, specialist=clerk)
        services.record_result(dossier=dossier, actor=clerk, note="Xong.")
    elif status_path == "returned":
        returned(dossier, clerk)
    elif status_path == "refused":
        services.refuse_dossier(dossier=dossier, actor=clerk, reason="Không đủ điều kiện.")
    text = " ".join(page_text(lookup_post(client, CODE, phone_last4=PHONE_LAST4)).split())
    assert "Việc cần làm" in text
    for phrase in expected:
        assert phrase in text


def test_what_to_do_now_awaiting_payment(client):
    procedure = ProcedureFactory(service_level=4)
    FeeFactory(procedure=procedure, amount=30000)
    dossier = filed_dossier(code=CODE, procedure=procedure, fee_name="Lệ phí cấp bản sao", fee_amount=30000)
    Dossier.objects.filter(pk=dossier.pk).update(status=DossierStatus.AWAITING_PAYMENT)
    text = " ".join(page_text(lookup_post(client, CODE)).split())
    assert "Chờ thanh toán" in text
    assert "Thanh toán phí, lệ phí trực tuyến" in text
    assert "30.000 đồng (Lệ phí cấp bản sao)" in text


def test_level_4_registered_dossier_just_waits(client):
    filed_dossier(code=CODE, procedure=ProcedureFactory(service_level=4))
    text = page_text(lookup_post(client, CODE))
    assert "Chờ tiếp nhận" in text
    assert "Mang bản chính" not in text


def test_unknown_code_gets_a_clear_message_keeping_what_was_typed(client):
    filed_dossier(code=CODE)
    typed = " 000.00.12.h26-250704-9999 "
    response = lookup_post(client, typed)
    assert response.status_code == 200
    text = page_text(response)
    assert "Không tìm thấy hồ sơ có mã “000.00.12.H26-250704-9999”" in text
    assert 'value="000.00.12.h26-250704-9999"' in text   # the field keeps what was typed
    assert "tracking/lookup.html" in [t.name for t in response.templates]


def test_unknown_and_existing_codes_look_the_same_from_outside(client):
    filed_dossier(code=CODE)
    found = lookup_post(client, CODE)
    missing = lookup_post(client, "000.00.12.H26-250704-0043")
    assert found.status_code == missing.status_code == 200
    assert [t.name for t in found.templates][:1] == [t.name for t in missing.templates][:1]
    assert set(found.headers) == set(missing.headers)
    assert found.headers["Content-Type"] == missing.headers["Content-Type"]
    assert found.headers.get("Cache-Control") == missing.headers.get("Cache-Control")
    for response in (found, missing):
        text = page_text(response)
        assert 'id="lookup-result-heading"' in text and 'name="captcha_1"' in text


def test_unknown_and_existing_codes_take_similar_time(client):
    dossier = filed_dossier(code=CODE)
    services.receive_dossier(dossier=dossier, actor=clerk_of(dossier.agency))

    def median_ms(code):
        timings = []
        for _ in range(15):
            started = time.perf_counter()
            lookup_post(client, code)
            timings.append((time.perf_counter() - started) * 1000)
        return statistics.median(timings)

    with override_settings(LOOKUP_RATE="10000/m"):
        median_ms(CODE)  # warm up templates and connections
        known, unknown = median_ms(CODE), median_ms("000.00.12.H26-250704-0043")
    # One indexed query decides; the rest is rendering. A few milliseconds apart at most.
    assert abs(known - unknown) < max(25.0, 0.5 * known), (known, unknown)


def test_captcha_is_required(client):
    filed_dossier(code=CODE)
    response = client.post("/tim-kiem/", {"code": CODE})
    text = page_text(response)
    assert response.status_code == 200
    assert "Vui lòng nhập mã xác nhận." in text
    assert "Kết quả tra cứu" not in text
    assert f'value="{CODE}"' in text


def test_wrong_captcha_is_refused(client):
    dossier = filed_dossier(code=CODE)
    key = new_key()
    response = client.post("/tim-kiem/", {"code": CODE, "captcha_0": key, "captcha_1": "SAI-MA"})
    text = page_text(response)
    assert "Mã xác nhận không đúng hoặc đã hết hạn" in text
    assert "Kết quả tra cứu" not in text and dossier.procedure.name not in text
    assert f'value="{CODE}"' in text
    # The challenge is spent: the right answer afterwards does not pass either.
    again = client.post("/tim-kiem/", {"code": CODE, "captcha_0": key, "captcha_1": challenge_of(key)})
    assert "Mã xác nhận không đúng hoặc đã hết hạn" in page_text(again)


def test_the_lookup_floor_checks_the_captcha_once_and_finds_the_dossier(rf):
    """The bench's lookup without its page does the lookup's checks: a captcha answers once; an unknown code."""
    filed_dossier(code=CODE)
    key = new_key()
    post = {"code": f" {CODE.lower()} ", "captcha_0": key, "captcha_1": challenge_of(key)}
    found = bench_lookup_floor(rf.post("/bench/lookup-floor/", post))
    assert (found.status_code, found.content) == (200, f"found {CODE}".encode())
    assert bench_lookup_floor(rf.post("/bench/lookup-floor/", post)).status_code == 400  # used once
    other = new_key()
    unknown = bench_lookup_floor(rf.post("/bench/lookup-floor/", {
        "code": "000.00.12.H26-250704-0043", "captcha_0": other, "captcha_1": challenge_of(other)}))
    assert (unknown.status_code, unknown.content) == (200, b"not found")


def test_real_captcha_answer_is_accepted(client):
    dossier = filed_dossier(code=CODE)
    key = new_key()
    answer = challenge_of(key).lower()
    response = client.post("/tim-kiem/", {"code": CODE, "captcha_0": key, "captcha_1": answer.upper()})
    assert dossier.procedure.name in page_text(response)


def test_empty_code_is_refused(client):
    text = page_text(lookup_post(client, " \n "))
    assert "Vui lòng nhập mã hồ sơ." in text


@override_settings(LOOKUP_RATE="3/m")
def test_lookups_are_rate_limited_per_client_address(client):
    filed_dossier(code=CODE)
    for _ in range(3):
        assert lookup_post(client, CODE, REMOTE_ADDR="203.0.113.7").status_code == 200
    blocked = lookup_post(client, CODE, REMOTE_ADDR="203.0.113.7")
    assert blocked.status_code == 429
    assert "Bạn đã thao tác quá nhiều lần" in page_text(blocked)
    assert CODE not in page_text(blocked)
    # Another address is not affected; opening the form (a QR code) is never limited.
    assert lookup_post(client, CODE, REMOTE_ADDR="203.0.113.8").status_code == 200
    assert client.get("/tim-kiem/?ma=" + CODE, REMOTE_ADDR="203.0.113.7").status_code == 200


def test_supplement_request_without_open_request_still_renders(client):
    """A dossier waiting for a supplement whose request row vanished shows the step without a list."""
    dossier = filed_dossier(code=CODE)
    clerk = clerk_of(dossier.agency)
    services.request_supplement(dossier=dossier, actor=clerk, reason="Thiếu giấy tờ.", missing_items=["Tờ khai"])
    SupplementRequest.objects.filter(dossier=dossier).delete()
    text = page_text(lookup_post(client, CODE))
    assert "Bổ sung hồ sơ" in text


def test_agency_address_and_hours_are_given_where_to_go(client):
    agency = AgencyFactory(address="Số 12 phố Lý Thái Tổ", opening_hours="Thứ Hai–Thứ Sáu")
    procedure = ProcedureFactory(agencies=[agency])
    filed_dossier(code=CODE, procedure=procedure, agency=agency)
    text = page_text(lookup_post(client, CODE))
    assert "Số 12 phố Lý Thái Tổ" in text and "Thứ Hai–Thứ Sáu" in text
