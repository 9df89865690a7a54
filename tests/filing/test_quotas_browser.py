"""The filing quotas in a real browser (issue 17, row 5): the captcha before the first upload, the
daily upload allowance, the number of drafts in progress; each says clearly what to do, and what
the citizen typed stays."""

import pytest

from dossiers.models import FilingDraftFile
from tests.filing.support import fileable_procedure, fresh_rate_limits, pdf_bytes, private_storage  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("private_storage", "fresh_rate_limits")]


def test_quotas_stop_a_visitor_clearly_and_lose_nothing(live_server, page, axe, settings, tmp_path):
    settings.FILING_UPLOAD_CAPTCHA = True
    settings.FILING_DRAFTS_PER_SESSION = 1
    settings.FILING_UPLOAD_BYTES_PER_ADDRESS = 6000
    procedure = fileable_procedure(name="Cấp giấy xác nhận tình trạng hôn nhân", components=1)
    other = fileable_procedure(name="Đăng ký kết hôn", components=1)
    small, large = tmp_path / "to-khai.pdf", tmp_path / "ban-sao.pdf"
    small.write_bytes(pdf_bytes(3000))
    large.write_bytes(pdf_bytes(4000))

    page.goto(f"{live_server.url}/nop-ho-so/{procedure.code}/")
    page.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()
    page.get_by_label("Họ và tên").fill("Lê Thị Hoa")
    page.get_by_label("Số định danh cá nhân (CCCD)").fill("001190012345")
    page.get_by_label("Số điện thoại di động").fill("0912 345 678")
    page.get_by_label("Địa chỉ liên hệ").fill("Số 3 phố Tràng Tiền, Hà Nội")
    import re

    page.get_by_label(re.compile(r"^Ngày sinh\s*\*?$")).fill("1991-02-03")
    page.get_by_role("button", name="Lưu và tiếp tục", exact=True).click()

    # The documents page asks for the captcha once; a file sent without it is not stored.
    page.locator("input[type=file]").set_input_files(str(small))
    page.get_by_role("button", name="Tải lên", exact=True).click()
    assert "Các tệp chưa được tải lên" in page.inner_text("main")
    assert not FilingDraftFile.objects.exists()
    axe(page)
    page.locator("input[type=file]").set_input_files(str(small))
    page.get_by_label("Mã xác nhận").fill("PASSED")
    page.get_by_role("button", name="Tải lên", exact=True).click()
    assert "Đã tải lên 1 tệp" in page.inner_text("main")
    assert page.locator("input[name=captcha_1]").count() == 0

    # The daily allowance of this address: the second file is refused, the first kept.
    page.locator("input[type=file]").set_input_files(str(large))
    page.get_by_role("button", name="Tải lên", exact=True).click()
    assert "đã tải lên quá nhiều dữ liệu trong hôm nay" in page.inner_text("main")
    assert "to-khai.pdf" in page.inner_text("main")
    assert FilingDraftFile.objects.count() == 1
    axe(page)

    # One draft in progress per session here: another procedure is refused, with the reason.
    page.goto(f"{live_server.url}/nop-ho-so/{other.code}/")
    page.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()
    assert "Bạn đang khai dở 1 hồ sơ" in page.inner_text("main")
    axe(page)
    # The first draft is still there, with what was typed.
    page.goto(f"{live_server.url}/nop-ho-so/{procedure.code}/to-khai/")
    assert page.get_by_label("Họ và tên").input_value() == "Lê Thị Hoa"
