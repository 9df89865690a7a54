"""The statistics page in a real browser: with and without JavaScript, and the axe-core WCAG 2.1 AA check."""

import pytest

from reporting.services import refresh_statistics

from .test_statistics import NOW, scene  # noqa: F401 - the fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_statistics_page_is_accessible(axe_page, axe, live_server, scene):  # noqa: F811
    refresh_statistics(since=(2026, 3), now=NOW)
    axe_page.goto(f"{live_server.url}/thong-ke/?nam=2026&thang=4")
    assert axe_page.get_by_role("heading", level=1).inner_text() == "Thống kê giải quyết thủ tục hành chính"
    assert axe_page.get_by_role("img", name="Tỷ lệ giải quyết đúng hạn (trên tổng số hồ sơ đến hạn)").is_visible()
    axe(axe_page)
    # The filters work from the form, and the whole year shows too.
    axe_page.get_by_label("Tháng", exact=True).select_option("")
    axe_page.get_by_role("button", name="Xem số liệu").click()
    axe_page.wait_for_url("**/thong-ke/?nam=2026*")
    assert "Năm 2026" in axe_page.get_by_role("heading", level=2).first.inner_text()
    axe(axe_page)
    # And in English.
    axe_page.get_by_label("Ngôn ngữ").select_option("en")
    axe_page.get_by_role("button", name="Đổi").click()
    axe_page.wait_for_load_state()
    axe(axe_page)


def test_charts_and_tables_are_there_without_javascript(chromium, live_server, scene):  # noqa: F811
    refresh_statistics(since=(2026, 3), now=NOW)
    context = chromium.new_context(locale="vi-VN", java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/thong-ke/?nam=2026&thang=4")
        chart = page.get_by_role("img", name="Hồ sơ tiếp nhận và giải quyết theo tháng, năm 2026")
        assert chart.is_visible() and chart.bounding_box()["height"] > 100
        table = page.get_by_role("table", name="Tình hình giải quyết hồ sơ theo cơ quan")
        assert "UBND phường Cửa Nam" in table.inner_text()
        with page.expect_download() as download:
            page.get_by_role("link", name="Tải số liệu (CSV)").click()
        assert download.value.suggested_filename == "thong-ke-04-2026.csv"
    finally:
        context.close()
