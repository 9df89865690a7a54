"""The lookup's second factor in a real browser (issue 17): a stranger with the code sees the status,
not the name nor the clerks' reasons; the last four digits of the phone, or the citizen's own signed
link, show them; wrong digits are counted and then refused."""

import pytest

from dossiers import links, services
from dossiers.services import submit_dossier
from tests.factories import AgencyFactory, ProcedureFactory
from tests.tracking.helpers import clerk_of

pytestmark = [pytest.mark.browser, pytest.mark.integration]


@pytest.mark.django_db(transaction=True)
def test_a_stranger_sees_the_status_the_applicant_sees_the_reasons(page, axe, live_server, settings):
    settings.LOOKUP_RATE = "1000/m"
    settings.LOOKUP_SECOND_FACTOR_MAX_PER_CODE = 3
    agency = AgencyFactory()
    procedure = ProcedureFactory(service_level=3, agencies=[agency], name="Cấp bản sao trích lục (thử nghiệm)")
    dossier = submit_dossier(
        procedure=procedure, agency=agency, declaration={}, declaration_schema=[],
        applicant={"full_name": "Trần Thị Bích", "id_number": "001190012345", "phone": "0987 654 321",
                   "email": "bich.tran@example.com", "address": "Số 9 phố Huế, Hà Nội"},
    )
    services.refuse_dossier(dossier=dossier, actor=clerk_of(agency), reason="Người nộp không thuộc diện được cấp.")

    def look_up(digits=""):
        page.goto(f"{live_server.url}{dossier.get_lookup_url()}")
        if digits:
            page.fill("#id_phone_last4", digits)
        page.fill("#id_captcha_1", "PASSED")
        page.click("button:has-text('Tra cứu')")
        page.wait_for_selector(".lookup-result")
        return page.inner_text("main")

    # Code and captcha only: procedure, agency, status; no name, no reason.
    text = look_up()
    assert "Cấp bản sao trích lục (thử nghiệm)" in text and agency.name in text
    assert "Không được tiếp nhận" in text or "không được" in text.lower()
    assert "Trần T** B***" not in text and "Người nộp không thuộc diện được cấp." not in text
    assert "4 số cuối số điện thoại" in text
    axe(page)

    # Wrong digits: told so, nothing more shown.
    text = look_up("1111")
    assert "không khớp" in text and "Người nộp không thuộc diện được cấp." not in text
    axe(page)

    # The right digits: the masked name and the reason.
    text = look_up("4321")
    assert "Trần T** B***" in text and "Người nộp không thuộc diện được cấp." in text

    # Two more wrong answers reach the limit for this code: even the right digits are no longer checked.
    look_up("2222")
    look_up("3333")
    text = look_up("4321")
    assert "quá nhiều lần" in text and "Người nộp không thuộc diện được cấp." not in text

    # The applicant's own signed link (from their SMS or email) opens everything, without a captcha.
    page.goto(f"{live_server.url}{links.status_path(dossier)}")
    text = page.inner_text("main")
    assert "Trần T** B***" in text and "Người nộp không thuộc diện được cấp." in text
    axe(page)
    page.goto(f"{live_server.url}/tim-kiem/gia-mao-khong-hop-le/")
    assert "Đường dẫn không hợp lệ" in page.inner_text("main")
