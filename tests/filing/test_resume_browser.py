"""Save and resume in a real browser: the link comes by SMS (the Twilio fake, sent by a real worker) and
opens the half-typed declaration in another browser."""

import re

import pytest

from tests.filing.support import fileable_procedure, fresh_rate_limits, private_storage  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.django_db(transaction=True),
              pytest.mark.usefixtures("private_storage", "fresh_rate_limits")]


def _start(page, live_server, procedure):
    page.goto(f"{live_server.url}{procedure.get_absolute_url()}")
    page.get_by_role("link", name="Thực hiện").first.click()
    page.get_by_role("button", name="Bắt đầu nộp hồ sơ").click()


def test_save_for_later_sends_the_link_by_sms_and_another_browser_continues(outbox, live_server, page, chromium):
    outbox.start_worker()
    procedure = fileable_procedure(components=0, name="Đăng ký thường trú")
    _start(page, live_server, procedure)
    page.get_by_label("Họ và tên").fill("Đỗ Minh Tâm")
    page.get_by_label("Số điện thoại di động").fill("0987 654 321")
    page.get_by_role("button", name="Lưu và tiếp tục sau").click()
    status = page.get_by_role("status")
    assert "Đường dẫn tiếp tục khai đã được gửi đến số điện thoại 098••••321" in status.inner_text()

    [sms] = outbox.twilio.wait_for_messages(1)
    assert sms["to"] == "+84987654321"
    [link] = re.findall(r"https?://\S+/tiep-tuc-khai/\S+/", sms["body"])
    assert link == page.locator("#resume-url").input_value()

    # Asking again at once is refused, politely, and nothing more is sent.
    page.get_by_role("button", name="Gửi lại đường dẫn qua SMS, thư điện tử").click()
    assert "vừa được gửi" in page.get_by_role("alert").inner_text()
    assert len(outbox.twilio.messages) == 1

    other = chromium.new_context(locale="vi-VN")
    try:
        phone = other.new_page()
        phone.goto(link)
        assert phone.get_by_label("Họ và tên").input_value() == "Đỗ Minh Tâm"
        assert phone.get_by_label("Số điện thoại di động").input_value() == "0987 654 321"
    finally:
        other.close()


def test_without_a_phone_or_email_the_page_says_the_link_was_not_sent(outbox, live_server, page):
    outbox.start_worker()
    procedure = fileable_procedure(components=0)
    _start(page, live_server, procedure)
    page.get_by_label("Họ và tên").fill("Đỗ Minh Tâm")
    page.get_by_role("button", name="Lưu và tiếp tục sau").click()
    alert = page.get_by_role("alert").inner_text()
    assert "chưa nhập số điện thoại di động hoặc thư điện tử" in alert
    assert page.locator("#resume-url").input_value().startswith(live_server.url)
    assert page.get_by_role("button", name="Gửi lại đường dẫn qua SMS, thư điện tử").count() == 0
    assert outbox.twilio.messages == [] and outbox.smtp.messages == []
