"""The citizen's journey in a real browser: look up, see the supplement request, supplement, see it back in the queue."""

import re

import pytest
from django.core import mail

from dossiers import services
from dossiers.services import submit_dossier
from dossiers.workflow import Event
from notifications.models import Channel, Notification
from tests.factories import AgencyFactory, ProcedureFactory
from tests.tracking.helpers import clerk_of

pytestmark = [pytest.mark.browser, pytest.mark.integration]

LINK = re.compile(r"https?://[^\s\"'<>]+/bo-sung/[^\s\"'<>]+/")


def supplement_link_from_email(dossier):
    """The link as the citizen gets it: from the email sent, else the rendered outbox row."""
    for message in mail.outbox:
        bodies = [message.body] + [content for content, _type in getattr(message, "alternatives", [])]
        for body in bodies:
            found = LINK.search(body)
            if found and dossier.code in message.subject + body:
                return found.group(0)
    row = Notification.objects.filter(dossier=dossier, event=Event.SUPPLEMENT_REQUESTED,
                                      channel=Channel.EMAIL).first()
    found = LINK.search(row.body or "") if row else None
    if found:
        return found.group(0)
    # The message is not rendered (no template for the event): the link the message carries.
    return row.context["supplement_url"]


@pytest.mark.django_db(transaction=True)
def test_citizen_supplements_through_the_emailed_link(page, live_server, settings, tmp_path):
    settings.PORTAL_BASE_URL = live_server.url
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "files"}}}
    settings.LOOKUP_RATE = "1000/m"
    agency = AgencyFactory(address="Số 1 phố Thử Nghiệm, Hà Nội")
    procedure = ProcedureFactory(service_level=3, agencies=[agency], name="Đăng ký khai sinh (thử nghiệm)")
    dossier = submit_dossier(
        procedure=procedure, agency=agency, declaration={}, declaration_schema=[],
        applicant={"full_name": "Nguyễn Văn An", "id_number": "001090012345", "phone": "+84912345678",
                   "email": "an.nguyen@example.com", "address": "Số 5 ngõ 12 phố Hàng Bông, Hà Nội"},
    )

    def look_up():
        page.goto(f"{live_server.url}{dossier.get_lookup_url()}")
        assert page.input_value("#id_code") == dossier.code   # the QR/SMS link fills the code in
        page.fill("#id_phone_last4", "5678")                   # the second factor: name and reasons
        page.fill("#id_captcha_1", "PASSED")
        page.click("button:has-text('Tra cứu')")
        page.wait_for_selector(".lookup-result")
        return page.inner_text("main")

    # The citizen looks the dossier up: registered, the name masked.
    text = look_up()
    assert "Đã đăng ký trực tuyến, chờ tiếp nhận" in text
    assert "Nguyễn V** A*" in text and "Nguyễn Văn An" not in text

    # The clerk asks for a supplement.
    clerk = clerk_of(agency)
    services.request_supplement(dossier=dossier, actor=clerk, reason="Thiếu giấy chứng sinh.",
                                missing_items=["Giấy chứng sinh (bản sao)"])

    text = look_up()
    assert "Yêu cầu bổ sung" in text
    assert "Thiếu giấy chứng sinh." in text and "Giấy chứng sinh (bản sao)" in text

    # The link from the email opens the supplement page; the citizen uploads the missing document.
    link = supplement_link_from_email(dossier)
    assert link.startswith(live_server.url)
    page.goto(link)
    assert "Thiếu giấy chứng sinh." in page.inner_text("main")
    scan = tmp_path / "giay-chung-sinh.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.set_input_files("#id_tep_0", str(scan))
    page.fill("#id_note", "Gửi bản sao giấy chứng sinh.")
    page.fill("#id_captcha_1", "PASSED")
    page.click("button:has-text('Gửi hồ sơ bổ sung')")
    page.wait_for_url(re.compile(r"/tim-kiem/\?ma="))
    assert "Đã gửi hồ sơ bổ sung" in page.inner_text("main")

    # The lookup shows the dossier back in the clerk's queue.
    text = look_up()
    assert "Đã đăng ký trực tuyến, chờ tiếp nhận" in text
    assert "Đã nhận hồ sơ bổ sung" in text

    # And the link is dead.
    page.goto(link)
    assert "Yêu cầu bổ sung này đã được thực hiện" in page.inner_text("main")
