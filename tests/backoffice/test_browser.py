"""A clerk works a dossier in a real browser: logs in, receives it, prints the appointment slip, returns the result."""

import pytest
from playwright.sync_api import expect

from dossiers import services
from dossiers.models import Dossier
from dossiers.services import submit_dossier
from dossiers.workflow import DossierStatus
from tests.backoffice.helpers import clerk, specialist
from tests.factories import AgencyFactory, ProcedureFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "mat-khau-thu-nghiem-2026"


def test_a_clerk_receives_prints_the_slip_and_returns_the_result(live_server, page):
    agency = AgencyFactory(name="UBND phường Hoàn Kiếm")
    procedure = ProcedureFactory(name="Đăng ký khai sinh", agencies=[agency], processing_days=3)
    desk = clerk(agency, username="canbo.hoankiem", first_name="Lan", last_name="Trần")
    expert = specialist(agency, username="chuyenvien.hoankiem", first_name="Hùng", last_name="Lê")
    dossier = submit_dossier(
        procedure=procedure, agency=agency,
        applicant={"full_name": "Nguyễn Thị Bình", "id_number": "001190012345", "phone": "+84912345678",
                   "email": "binh@example.com", "address": "Số 5 ngõ 12 phố Hàng Bông, Hà Nội"},
        declaration={"ho_ten_tre": "Trần Minh Khôi"},
        declaration_schema=[{"key": "ho_ten_tre", "label": "Họ, chữ đệm, tên của trẻ", "type": "text"}],
    )

    page.goto(f"{live_server.url}/quan-tri/login/")
    page.fill("#id_username", desk.username)
    page.fill("#id_password", PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page.locator(".work-queue")).to_contain_text("Quá hạn")   # the index's day of work
    page.goto(f"{live_server.url}/quan-tri/dossiers/dossier/?viec=tat-ca")
    page.get_by_role("link", name=dossier.code).click()
    expect(page.locator("#to-khai")).to_contain_text("Họ, chữ đệm, tên của trẻ")
    expect(page.locator("#to-khai")).to_contain_text("Trần Minh Khôi")

    # Reception: the appointment date is fixed and shown.
    page.locator("#thao-tac-receive summary").click()
    page.locator("#thao-tac-receive button[type=submit]").click()
    expect(page.locator(".messagelist")).to_contain_text("Đã thực hiện “Tiếp nhận hồ sơ”")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RECEIVED
    appointment = dossier.appointment_date

    # The receipt and appointment slip opens in a new tab, ready to print.
    with page.expect_popup() as popup:
        page.get_by_role("link", name="Giấy tiếp nhận hồ sơ và hẹn trả kết quả", exact=True).click()
    slip = popup.value
    slip.wait_for_load_state()
    text = slip.content()
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in slip.inner_text("h1").upper()
    assert dossier.code in text and "Nguyễn Thị Bình" in text
    assert f"ngày {appointment.day:02d} tháng {appointment.month:02d} năm {appointment.year}" in text
    assert slip.locator(".qr-block svg").count() == 1
    assert slip.get_by_role("button", name="In phiếu").is_visible()
    slip.close()

    # Hand over to the specialist, who records the result.
    page.locator("#thao-tac-assign summary").click()
    page.locator("#thao-tac-assign select").select_option(str(expert.pk))
    page.locator("#thao-tac-assign button[type=submit]").click()
    expect(page.locator(".messagelist")).to_contain_text("Đã thực hiện “Chuyển xử lý”")
    services.record_result(dossier=Dossier.objects.get(pk=dossier.pk), actor=expert,
                           note="Đã cấp Giấy khai sinh số 15/2027.")

    # The clerk returns the result at the desk.
    page.reload()
    page.wait_for_load_state()
    page.locator("#thao-tac-return_result summary").click()
    page.locator("#thao-tac-return_result select").select_option("in_person")
    page.locator("#thao-tac-return_result input[type=checkbox]").check()
    page.locator("#thao-tac-return_result button[type=submit]").click()
    expect(page.locator(".messagelist")).to_contain_text("Đã thực hiện “Trả kết quả”")
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.RETURNED
    assert [e.action for e in dossier.events.all()] == ["register", "receive", "assign", "record_result",
                                                       "return_result"]
    expect(page.locator("#thao-tac")).to_contain_text("Hồ sơ đã kết thúc")
