"""A citizen files a level 3 dossier in a real browser (headless Chromium through Playwright)."""

import re

import pytest

from dossiers.models import Dossier
from tests.factories import FeeFactory
from tests.filing.support import fileable_procedure, fresh_rate_limits, pdf_bytes, private_storage  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("private_storage", "fresh_rate_limits")]


def test_a_citizen_files_a_birth_registration_and_leaves_with_its_code(live_server, page, tmp_path):
    procedure = fileable_procedure(
        name="Đăng ký khai sinh", components=1,
        fields=[{"key": "ho_ten_tre", "label": "Họ, chữ đệm, tên của trẻ", "is_required": True, "order": 1},
                {"key": "gioi_tinh", "label": "Giới tính", "field_type": "choice", "choices": "Nam\nNữ",
                 "is_required": True, "order": 2},
                {"key": "ngay_sinh_tre", "label": "Ngày sinh của trẻ", "field_type": "date", "is_required": True,
                 "order": 3}],
    )
    FeeFactory(procedure=procedure, name="Đăng ký khai sinh đúng hạn", amount=0)
    scan = tmp_path / "giay-chung-sinh.pdf"
    scan.write_bytes(pdf_bytes())

    page.goto(f"{live_server.url}{procedure.get_absolute_url()}")
    page.get_by_role("link", name="Thực hiện").first.click()
    page.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()

    # The declaration, first with a phone number that cannot be right.
    page.get_by_label("Họ và tên").fill("Nguyễn Thị Bình")
    page.get_by_label(re.compile(r"^Ngày sinh\s*\*?$")).fill("1990-05-17")
    page.get_by_label("Số định danh cá nhân (CCCD)").fill("001190012345")
    page.get_by_label("Số điện thoại di động").fill("0912 345")
    page.get_by_label("Địa chỉ liên hệ").fill("Số 5 ngõ 12 phố Hàng Bông, Hà Nội")
    page.get_by_label("Họ, chữ đệm, tên của trẻ").fill("Trần Minh Khôi")
    page.get_by_label("Giới tính").select_option("Nam")
    page.get_by_label("Ngày sinh của trẻ").fill("2025-01-31")
    page.get_by_role("button", name="Lưu và tiếp tục", exact=True).click()
    assert page.get_by_role("alert").is_visible()
    assert "Số điện thoại di động không hợp lệ" in page.content()
    assert page.get_by_label("Họ, chữ đệm, tên của trẻ").input_value() == "Trần Minh Khôi"
    page.get_by_label("Số điện thoại di động").fill("0912 345 678")
    page.get_by_role("button", name="Lưu và tiếp tục", exact=True).click()

    # Documents, then the review.
    page.locator("input[type=file]").set_input_files(str(scan))
    page.get_by_role("button", name="Tải lên và tiếp tục").click()
    assert "Xem lại hồ sơ" in page.content()
    assert "+84912345678" in page.content() and "giay-chung-sinh.pdf" in page.content()
    page.get_by_role("link", name="Tiếp tục").click()

    # A wrong captcha first: nothing is filed, the page says why.
    page.get_by_label("Mã xác nhận").fill("SAI-MA")
    page.get_by_label(re.compile("Tôi xin cam đoan")).check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    assert "Mã xác nhận không đúng" in page.content()
    assert not Dossier.objects.exists()
    page.get_by_label("Mã xác nhận").fill("PASSED")
    page.get_by_label(re.compile("Tôi xin cam đoan")).check()
    page.get_by_role("button", name="Nộp hồ sơ").click()

    page.get_by_role("heading", name="Nộp hồ sơ thành công").wait_for()
    code = page.locator("#dossier-code").inner_text().strip()
    dossier = Dossier.objects.get()
    assert code == dossier.code
    assert re.fullmatch(r"[0-9A-Z]{2,3}(\.[0-9A-Z]{2,3}){3}-\d{6}-0001", code)
    assert dossier.declaration["ho_ten_tre"] == "Trần Minh Khôi" and dossier.files.count() == 1
    assert page.get_by_role("link", name="In giấy biên nhận").is_visible()
