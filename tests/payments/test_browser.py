"""The level 4 journey in a real browser: file, pay in the sandbox gateway, clerk receives, settles and posts.

The citizen files through the filing wizard's own pages, pays in the sandbox gateway (its
IPN goes to the portal over HTTP, like a real gateway's), and follows each step on the
public lookup (/tim-kiem/, captcha "PASSED" in test mode). The clerk works in the admin.
"""

import logging
import re

import pytest

from dossiers.models import Dossier
from dossiers.roles import AGENCY_LEADER, ensure_groups
from dossiers.workflow import DossierStatus, Event
from notifications.models import Notification
from payments.models import PaymentStatus
from tests.factories import AgencyFactory, ComponentFactory, FeeFactory, ProcedureFactory

from .conftest import make_clerk

pytestmark = [pytest.mark.browser, pytest.mark.integration]

PASSWORD = "mat-khau-thu-nghiem-2026"


@pytest.mark.django_db(transaction=True)
def test_level4_file_pay_receive_settle_and_post(page, live_server, settings, tmp_path, caplog):
    settings.PORTAL_BASE_URL = live_server.url
    settings.PAYMENT_SANDBOX_IPN_MODE = "http"
    settings.PAYMENT_RETURN_WAIT_SECONDS = 3
    settings.LOOKUP_RATE = settings.SUBMIT_RATE = "1000/m"
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "files", "base_url": None}}}
    caplog.set_level(logging.INFO, logger="payments.views")

    agency = AgencyFactory(name="UBND phường Hoàn Kiếm (thử nghiệm)", address="Số 1 phố Thử Nghiệm, Hà Nội")
    procedure = ProcedureFactory(service_level=4, agencies=[agency], name="Cấp bản sao trích lục khai sinh (thử nghiệm)")
    ComponentFactory(procedure=procedure, name="Tờ khai đề nghị cấp bản sao trích lục")
    FeeFactory(procedure=procedure, name="Cấp 1 bản sao", amount=8000, order=1)
    copies = FeeFactory(procedure=procedure, name="Cấp 5 bản sao", amount=40000, order=2)
    ensure_groups()
    clerk = make_clerk(agency, "payments.view_payment", "payments.reconcile_payments", username="canbo.motcua")
    clerk.groups.add(ensure_groups()[AGENCY_LEADER])
    base = live_server.url

    # --- The citizen files through the wizard -------------------------------------------------------
    page.goto(f"{base}/nop-ho-so/{procedure.code}/")
    page.click("button:has-text('Bắt đầu nộp hồ sơ')")
    page.fill("#id_nd-full_name", "Nguyễn Thị Bình")
    page.fill("#id_nd-birth_date", "1990-05-17")
    page.fill("#id_nd-id_number", "001190012345")
    page.fill("#id_nd-phone", "0912 345 678")
    page.fill("#id_nd-email", "binh.nguyen@example.com")
    page.fill("#id_nd-address", "Số 5 ngõ 12 phố Hàng Bông, Hoàn Kiếm, Hà Nội")
    page.check(f"input[name='lp-fee'][value='{copies.pk}']")
    page.check("input[name='lp-delivery_method'][value='post']")
    page.click("button:has-text('Lưu và tiếp tục')")
    scan = tmp_path / "to-khai.pdf"
    scan.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    page.set_input_files("input[type=file]", str(scan))
    page.click("button:has-text('Tải lên và tiếp tục')")
    page.click("a:has-text('Tiếp tục')")
    page.fill("#id_captcha_1", "PASSED")
    page.check("#id_consent")
    page.click("#submit-dossier")
    code = page.inner_text("#dossier-code").strip()
    dossier = Dossier.objects.get(code=code)
    assert (dossier.status, dossier.fee_amount, dossier.delivery_method) == (
        DossierStatus.AWAITING_PAYMENT, 40000, "post")
    assert "40.000" in page.inner_text("main") or "40,000" in page.inner_text("main")

    def look_up():
        page.goto(f"{base}{dossier.get_lookup_url()}")
        page.fill("#id_captcha_1", "PASSED")
        page.click("button:has-text('Tra cứu')")
        page.wait_for_selector(".lookup-result")
        return page.inner_text(".lookup-result")

    # --- Pays in the sandbox gateway ------------------------------------------------------------------
    page.goto(f"{base}/nop-ho-so/{procedure.code}/da-nop/{code}/")
    page.click("a:has-text('Thanh toán trực tuyến')")
    assert "40.000" in page.inner_text("main")
    page.click("button:has-text('Thanh toán trực tuyến')")
    page.wait_for_url(re.compile(r"/thanh-toan/sandbox/"))
    assert "40.000 VND" in page.inner_text("main")
    # First the citizen cancels, then tries again.
    page.click("button:has-text('Hủy')")
    page.wait_for_url(re.compile(r"/thanh-toan/vnpay/ket-qua/"))
    assert "Giao dịch đã bị hủy" in page.inner_text("#payment-outcome")
    assert "Chờ thanh toán" in look_up()
    page.goto(dossier_payment_link(dossier))
    page.click("button:has-text('Thanh toán lại')")
    page.wait_for_url(re.compile(r"/thanh-toan/sandbox/"))
    page.click("button:has-text('Thanh toán')")
    page.wait_for_url(re.compile(r"/thanh-toan/vnpay/ket-qua/"))
    assert "Thanh toán thành công" in page.inner_text("#payment-outcome")
    assert any("via http" in record.getMessage() for record in caplog.records), "the IPN went over HTTP"
    page.click("a:has-text('Xem, in biên lai điện tử')")
    receipt = page.inner_text("main")
    assert "BIÊN LAI THU PHÍ, LỆ PHÍ ĐIỆN TỬ" in receipt and "Bốn mươi nghìn đồng" in receipt
    assert "Đã đăng ký trực tuyến, chờ tiếp nhận" in look_up()
    dossier.refresh_from_db()
    assert list(dossier.payments.values_list("status", flat=True).order_by("created_at")) == [
        PaymentStatus.CANCELLED, PaymentStatus.PAID]

    # --- The clerk sees it paid, receives it, records the result, posts it -----------------------------
    page.goto(f"{base}/quan-tri/login/")
    page.fill("#id_username", clerk.username)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.goto(f"{base}/quan-tri/payments/payment/?q={code}")
    listing = page.inner_text("#result_list")
    assert code in listing and "Đã thanh toán" in listing and "Đã hủy" in listing

    def act(action, fill=None):
        page.goto(f"{base}/quan-tri/dossiers/dossier/{dossier.pk}/thao-tac/{action}/")
        # Reception's checklist: every component checked against its original.
        for box in page.locator("fieldset.checklist input[type=checkbox]").all():
            box.check()
        for selector, value in (fill or {}).items():
            if selector.startswith("select"):
                page.select_option(selector.split(" ", 1)[1], value)
            else:
                page.fill(selector, value)
        page.click("input[type=submit].default")
        page.wait_for_url(re.compile(rf"/quan-tri/dossiers/dossier/{dossier.pk}/change/"))

    act("receive")
    assert "Đã tiếp nhận" in look_up()
    act("assign", {"select #id_assign-specialist": str(clerk.pk)})
    act("record_result", {"#id_record_result-result_note": "Đã cấp 5 bản sao trích lục khai sinh."})
    assert "Đã có kết quả" in look_up()
    act("dispatch", {"#id_dispatch-tracking_number": "EMS123456789VN"})
    text = look_up()
    assert "Đã gửi kết quả qua bưu chính" in text
    dossier.refresh_from_db()
    assert (dossier.status, dossier.tracking_number) == (DossierStatus.DISPATCHED, "EMS123456789VN")
    sent = Notification.objects.filter(dossier=dossier, event=Event.DISPATCHED)
    assert sent.exists() and all(row.context["tracking_number"] == "EMS123456789VN" for row in sent)
    assert Notification.objects.filter(dossier=dossier, event=Event.PAYMENT_CONFIRMED).exists()
    assert Notification.objects.filter(dossier=dossier, event=Event.PAYMENT_FAILED).exists()


def dossier_payment_link(dossier):
    from dossiers.links import payment_url

    return payment_url(dossier)
