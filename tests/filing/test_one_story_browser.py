"""The "one story" fixes seen by a citizen in Chromium: a phone screen, no JavaScript, English mode,
the error summary, typed dates, the payment button's address, the favicon (issue 15)."""

import re
import unicodedata

import pytest

from dossiers.models import Dossier
from tests.factories import FeeFactory, TierFactory
from tests.filing.support import fileable_procedure, fresh_rate_limits, private_storage  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("private_storage", "fresh_rate_limits")]


def _declare(page, *, birth_date="17/05/1990"):
    page.get_by_label("Họ và tên").fill("Nguyễn Thị Bình")
    page.get_by_label(re.compile(r"^Ngày sinh")).fill(birth_date)
    page.get_by_label("Số định danh cá nhân (CCCD)").fill("001190012345")
    page.get_by_label("Số điện thoại di động").fill("0912 345 678")
    page.get_by_label("Địa chỉ liên hệ").fill("Số 5 ngõ 12 phố Hàng Bông, Hà Nội")


def _file(page, live_server, procedure):
    page.goto(f"{live_server.url}/nop-ho-so/{procedure.code}/")
    page.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()
    _declare(page)
    page.get_by_role("button", name="Lưu và tiếp tục", exact=True).click()
    page.get_by_role("heading", name="Xem lại hồ sơ").wait_for()
    page.get_by_role("link", name="Tiếp tục").click()
    page.get_by_label("Mã xác nhận").fill("PASSED")
    page.get_by_label(re.compile("Tôi xin cam đoan")).check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.get_by_role("heading", name="Nộp hồ sơ thành công").wait_for()


@pytest.mark.parametrize("width", [320, 360])
def test_on_a_phone_the_dossier_code_stays_on_one_line(live_server, chromium, axe, width):
    procedure = fileable_procedure(components=0)
    context = chromium.new_context(locale="vi-VN", viewport={"width": width, "height": 740})
    page = context.new_page()
    try:
        _file(page, live_server, procedure)
        code = page.locator("#dossier-code")
        lines = page.evaluate("""() => { const range = document.createRange();
            range.selectNodeContents(document.getElementById('dossier-code'));
            return new Set([...range.getClientRects()].map(rect => Math.round(rect.top))).size; }""")
        assert lines == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width  # and nothing scrolls sideways
        assert code.inner_text().strip() == Dossier.objects.get().code
        axe(page)
    finally:
        context.close()


def test_without_javascript_copy_and_print_buttons_are_not_shown_dead(live_server, chromium):
    procedure = fileable_procedure(components=0)
    context = chromium.new_context(locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    try:
        _file(page, live_server, procedure)
        assert not page.get_by_role("button", name="Sao chép mã").is_visible()
        page.get_by_role("link", name="In giấy biên nhận").click()
        page.get_by_role("heading", name="Giấy tiếp nhận hồ sơ trực tuyến").wait_for()
        assert not page.get_by_role("button", name="In giấy biên nhận").is_visible()
        assert "Ctrl+P" in page.content()
    finally:
        context.close()


def test_with_javascript_the_print_button_prints(live_server, page):
    procedure = fileable_procedure(components=0)
    _file(page, live_server, procedure)
    page.get_by_role("link", name="In giấy biên nhận").click()
    page.evaluate("window.printed = 0; window.print = function () { window.printed += 1; }")
    page.get_by_role("button", name="In giấy biên nhận").click()
    assert page.evaluate("window.printed") >= 1


def test_a_failed_confirm_says_no_dot_colon_and_takes_the_focus(live_server, page):
    procedure = fileable_procedure(components=0)
    page.goto(f"{live_server.url}/nop-ho-so/{procedure.code}/")
    page.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()
    _declare(page)
    page.get_by_role("button", name="Lưu và tiếp tục", exact=True).click()
    page.get_by_role("link", name="Tiếp tục").click()
    page.get_by_label("Mã xác nhận").fill("PASSED")
    page.get_by_role("button", name="Nộp hồ sơ").click()  # the pledge not ticked
    summary = page.locator(".error-summary")
    summary.wait_for()
    assert ".:" not in summary.inner_text()
    assert "pháp luật: Vui lòng đánh dấu xác nhận cam đoan" in summary.inner_text()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    assert not Dossier.objects.exists()


def test_dates_are_typed_as_day_month_year(live_server, page):
    procedure = fileable_procedure(components=0)
    page.goto(f"{live_server.url}/nop-ho-so/{procedure.code}/")
    page.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()
    birth = page.get_by_label(re.compile(r"^Ngày sinh"))
    assert birth.get_attribute("type") == "text" and birth.get_attribute("placeholder") == "ngày/tháng/năm"
    _declare(page, birth_date="31/02/1990")
    page.get_by_role("button", name="Lưu và tiếp tục", exact=True).click()
    assert "Ngày không hợp lệ. Nhập theo dạng ngày/tháng/năm." in page.content()
    assert page.get_by_label(re.compile(r"^Ngày sinh")).input_value() == "31/02/1990"  # kept as typed
    page.get_by_label(re.compile(r"^Ngày sinh")).fill("17/05/1990")
    page.get_by_role("button", name="Lưu và tiếp tục", exact=True).click()
    page.get_by_role("heading", name="Xem lại hồ sơ").wait_for()
    assert "17/05/1990" in page.content()


def test_level_4_preselects_no_visit_and_the_payment_button_stays_on_this_site(live_server, page):
    procedure = fileable_procedure(level=4, components=0, allows_electronic_result=True)
    FeeFactory(procedure=procedure, name="Lệ phí cấp bản sao, trích lục", amount=8000)
    page.goto(f"{live_server.url}/nop-ho-so/{procedure.code}/")
    page.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()
    assert page.get_by_label("Nhận kết quả điện tử trực tuyến").is_checked()
    _declare(page)
    page.get_by_role("button", name="Lưu và tiếp tục", exact=True).click()
    page.get_by_role("link", name="Tiếp tục").click()
    page.get_by_label("Mã xác nhận").fill("PASSED")
    page.get_by_label(re.compile("Tôi xin cam đoan")).check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.get_by_role("heading", name="Nộp hồ sơ thành công").wait_for()
    text = page.locator("main").inner_text()
    assert "Bạn không phải đến cơ quan." in text and "8.000 đồng (Lệ phí cấp bản sao, trích lục)" in text
    button = page.get_by_role("link", name="Thanh toán trực tuyến")
    assert button.get_attribute("href").startswith("/thanh-toan/")  # relative: any host, any port
    button.click()
    assert page.url.startswith(live_server.url)


def test_english_mode_names_english_translates_labels_and_says_procedures_are_in_vietnamese(live_server, page):
    TierFactory(slug="cap-xa", name="Cấp xã", submit_label="Nộp hồ sơ tại phường/xã/thị trấn")
    page.goto(f"{live_server.url}/")
    assert page.locator("#lang-select option[value=en]").inner_text() == "English"
    page.locator("#lang-select").select_option("en")
    page.get_by_role("button", name="Đổi").click()
    page.locator("html[lang=en]").wait_for()
    assert unicodedata.normalize("NFC", page.locator("#lang-select option[value=vi]").inner_text()) == "Tiếng Việt"
    text = page.locator("body").inner_text()
    assert "published in Vietnamese only" in text
    assert "Nộp hồ sơ tại phường/xã/thị trấn" not in text and "Cấp xã" not in text
    assert "birth registration" not in page.content()


def test_the_portal_has_a_favicon(live_server, page):
    response = page.goto(f"{live_server.url}/favicon.ico")
    assert response.status == 200 and response.headers["content-type"] in ("image/x-icon", "image/vnd.microsoft.icon")
    page.goto(f"{live_server.url}/")
    href = page.locator("link[rel=icon][type='image/svg+xml']").get_attribute("href")
    assert page.request.get(f"{live_server.url}{href}").status == 200


def test_save_and_continue_later_on_another_device(live_server, page, chromium):
    procedure = fileable_procedure(components=0)
    page.goto(f"{live_server.url}/nop-ho-so/{procedure.code}/")
    page.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()
    page.get_by_label("Họ và tên").fill("Nguyễn Thị Bình")
    page.get_by_role("button", name="Lưu và tiếp tục sau").click()
    page.get_by_role("heading", name="Đã lưu hồ sơ đang khai").wait_for()
    link = page.get_by_label("Đường dẫn tiếp tục khai hồ sơ").input_value()
    other = chromium.new_context(locale="vi-VN")
    try:
        phone = other.new_page()
        phone.goto(link)
        assert phone.get_by_label("Họ và tên").input_value() == "Nguyễn Thị Bình"
        assert "Đã mở lại hồ sơ đang khai" in phone.content()
    finally:
        other.close()
