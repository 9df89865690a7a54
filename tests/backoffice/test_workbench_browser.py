"""The clerk's workbench in a real browser at 1280×800 and 1366×768: the list fits, the actions are at the top,
attachments preview in the page (and nowhere for another agency's clerk), and axe finds no WCAG 2.1 AA violation."""

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from dossiers.models import DossierFile, DossierFileKind
from dossiers.workflow import DossierStatus
from tests.backoffice.helpers import PDF, agency_with_procedure, clerk, filed, leader
from tests.factories import ComponentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "mat-khau-thu-nghiem-2026"
BASE = "/quan-tri/dossiers/dossier"
SCREENS = [(1280, 800), (1366, 768)]


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (30, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def desk():
    agency, procedure = agency_with_procedure(
        processing_days=3, name="Đăng ký khai sinh cho trẻ em sinh ra tại cơ sở y tế trên địa bàn phường, "
                               "có yếu tố nước ngoài và cần xác minh thêm")
    ComponentFactory(procedure=procedure, name="Tờ khai đăng ký khai sinh")
    user = clerk(agency, username="canbo.hangbong", first_name="Lan", last_name="Trần")
    dossiers = [filed(procedure, agency, applicant_name=f"Nguyễn Thị Phương Thảo Số {n:02d}")
                for n in range(30)]
    main = dossiers[0]
    pdf = DossierFile(dossier=main, kind=DossierFileKind.APPLICATION, component_name="Tờ khai",
                      original_name="to-khai.pdf", content_type="application/pdf", size=len(PDF))
    pdf.file.save("to-khai.pdf", ContentFile(PDF), save=True)
    image = _png()
    photo = DossierFile(dossier=main, kind=DossierFileKind.APPLICATION, component_name="Giấy chứng sinh",
                        original_name="giay-chung-sinh.png", content_type="image/png", size=len(image))
    photo.file.save("giay-chung-sinh.png", ContentFile(image), save=True)
    return {"agency": agency, "procedure": procedure, "user": user, "dossier": main, "pdf": pdf, "photo": photo}


def _log_in(page, live_server, user):
    page.goto(f"{live_server.url}/quan-tri/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.locator("[type=submit]").first.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("width,height", SCREENS)
def test_the_list_fits_the_screen_with_the_deadline_and_20_rows(chromium, live_server, desk, axe, width, height):
    context = chromium.new_context(locale="vi-VN", viewport={"width": width, "height": height}, bypass_csp=True)
    page = context.new_page()
    _log_in(page, live_server, desk["user"])
    page.goto(f"{live_server.url}{BASE}/")
    assert page.evaluate("document.documentElement.scrollWidth") <= width        # no horizontal scroll
    deadline = page.locator("#result_list th.column-days_left").bounding_box()
    assert deadline is not None and deadline["x"] + deadline["width"] <= width
    tops = page.locator("#result_list tbody tr").evaluate_all("rows => rows.map(r => r.getBoundingClientRect().bottom)")
    assert len(tops) == 30
    assert sum(1 for bottom in tops if bottom <= height) >= 20, tops[:25]
    # The long procedure name is cut to one line, its full text on hover.
    cell = page.locator("#result_list td.field-procedure_name .cell-clip").first
    assert cell.get_attribute("title") == desk["procedure"].name
    axe(page)
    page.goto(f"{live_server.url}/quan-tri/")
    page.wait_for_load_state()
    assert "30" in page.locator(".work-queue").inner_text()
    axe(page)
    context.close()


@pytest.mark.parametrize("width,height", SCREENS)
def test_the_dossier_page_shows_the_actions_first_and_previews_the_files(chromium, live_server, desk, axe,
                                                                          width, height):
    context = chromium.new_context(locale="vi-VN", viewport={"width": width, "height": height}, bypass_csp=True)
    page = context.new_page()
    _log_in(page, live_server, desk["user"])
    dossier = desk["dossier"]
    page.goto(f"{live_server.url}{BASE}/{dossier.pk}/change/")
    receive = page.locator("#thao-tac-receive summary").bounding_box()
    assert receive is not None and receive["y"] + receive["height"] <= height        # above the fold
    # Keyboard: the reception form opens from the keyboard and its checklist is reachable.
    page.locator("#thao-tac-receive summary").focus()
    page.keyboard.press("Enter")
    assert page.locator("#thao-tac-receive fieldset.checklist input[type=checkbox]").first.is_visible()
    # The previews load in the page through the access-checked view.
    image = page.locator("img.preview-image")
    image.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth === 120",
                           arg=image.element_handle(), timeout=10000)
    frame_src = page.locator("iframe.preview-pdf").get_attribute("src")
    assert frame_src.endswith(f"/tep/{desk['pdf'].pk}/")
    response = page.request.get(f"{live_server.url}{frame_src}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert page.locator("#lich-su").get_attribute("open") is None                    # history collapsed
    axe(page)
    context.close()


def test_previews_are_404_for_another_agencys_clerk(chromium, live_server, desk):
    other_agency, _procedure = agency_with_procedure()
    stranger = clerk(other_agency, username="canbo.khac")
    context = chromium.new_context(locale="vi-VN")
    page = context.new_page()
    _log_in(page, live_server, stranger)
    dossier = desk["dossier"]
    for attachment in (desk["pdf"], desk["photo"]):
        response = page.request.get(f"{live_server.url}{BASE}/{dossier.pk}/tep/{attachment.pk}/")
        assert response.status == 404
    assert page.request.get(f"{live_server.url}{BASE}/{dossier.pk}/change/").status == 404
    context.close()


def test_the_leaders_view_is_accessible(chromium, live_server, desk, axe):
    boss = leader(desk["agency"], username="lanhdao.hangbong")
    filed(desk["procedure"], desk["agency"], status=DossierStatus.RECEIVED)
    context = chromium.new_context(locale="vi-VN", viewport={"width": 1280, "height": 800}, bypass_csp=True)
    page = context.new_page()
    _log_in(page, live_server, boss)
    page.goto(f"{live_server.url}{BASE}/tinh-hinh/")
    assert desk["agency"].name in page.locator(".summary-table").inner_text()
    axe(page)
    context.close()
