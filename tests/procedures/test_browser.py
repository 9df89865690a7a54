"""A citizen finds a procedure with the keyboard only, in a real browser."""

import pytest

from tests.factories import ComponentFactory, ProcedureFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_from_the_home_page_with_the_keyboard(page, live_server):
    procedure = ProcedureFactory(code="1.001193", name="Đăng ký khai sinh", service_level=4)
    ComponentFactory(procedure=procedure, name="Giấy chứng sinh")
    ProcedureFactory(code="1.000894", name="Đăng ký kết hôn")
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.get_by_label("Tên hoặc mã thủ tục").fill("DANG KY KHAI SINH")
    page.keyboard.press("Enter")
    page.wait_for_url("**/thu-tuc/?q=*")
    assert page.get_by_role("status").inner_text() == "Tìm thấy 1 thủ tục."
    page.get_by_role("link", name="Đăng ký khai sinh", exact=True).focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/thu-tuc/1.001193/")
    assert page.get_by_role("heading", level=1).inner_text() == "Đăng ký khai sinh"
    assert page.get_by_role("link", name="Thực hiện").first.is_visible()
    assert "Giấy chứng sinh" in page.locator("table").inner_text()


def test_the_catalogue_fits_a_phone(page, live_server):
    ProcedureFactory(name="Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ", service_level=3)
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/thu-tuc/")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 360
