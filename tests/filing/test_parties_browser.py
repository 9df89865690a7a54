""""Người nộp là một bên" in a real browser: picking a party hides its fields, the review shows them filled."""

import re

import pytest

from dossiers.models import Dossier
from tests.filing.support import fresh_rate_limits, marriage_procedure, private_storage  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("private_storage", "fresh_rate_limits")]


def test_the_bride_files_and_types_only_the_groom(live_server, page):
    procedure = marriage_procedure()
    page.goto(f"{live_server.url}/nop-ho-so/{procedure.code}/")
    page.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()
    page.get_by_label("Họ và tên").fill("Nguyễn Thị Bình")
    page.get_by_label(re.compile(r"^Ngày sinh\s*\*?$")).fill("17/05/1990")
    page.get_by_label("Số định danh cá nhân (CCCD)").fill("001190012345")
    page.get_by_label("Số điện thoại di động").fill("0912 345 678")
    page.get_by_label("Địa chỉ liên hệ").fill("Số 5 ngõ 12 phố Hàng Bông, Hà Nội")

    bride = page.get_by_label("Họ, chữ đệm, tên bên nữ")
    assert bride.is_visible()
    page.get_by_role("radio", name="Bên nữ").check()
    assert not bride.is_visible() and not page.get_by_label("Số định danh cá nhân bên nữ").is_visible()
    page.get_by_role("radio", name="Không, khai riêng thông tin từng bên").check()
    assert bride.is_visible()
    page.get_by_role("radio", name="Bên nữ").check()

    page.get_by_label("Họ, chữ đệm, tên bên nam").fill("Trần Văn Nam")
    page.get_by_label("Ngày, tháng, năm sinh bên nam").fill("12/03/1988")
    page.get_by_label("Số định danh cá nhân bên nam").fill("001088012345")
    page.get_by_role("button", name="Lưu và tiếp tục", exact=True).click()
    page.get_by_role("heading", name="Xem lại hồ sơ").wait_for()
    review = page.locator("main").inner_text()
    assert re.search(r"Họ, chữ đệm, tên bên nữ\s+Nguyễn Thị Bình", review)
    assert re.search(r"Số định danh cá nhân bên nữ\s+001190012345", review)
    assert re.search(r"Ngày, tháng, năm sinh bên nữ\s+17/05/1990", review)

    page.get_by_role("link", name="Tiếp tục").click()
    page.get_by_label("Mã xác nhận").fill("PASSED")
    page.get_by_label(re.compile("Tôi xin cam đoan")).check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url(re.compile("/da-nop/"))
    declaration = Dossier.objects.get().declaration
    assert (declaration["ho_ten_vo"], declaration["so_dinh_danh_vo"]) == ("Nguyễn Thị Bình", "001190012345")
    assert declaration["ho_ten_chong"] == "Trần Văn Nam"
