"""The printable slips: each with its content, the QR code of the public lookup, and the agency scoping."""

import datetime

import pytest
from django.utils import timezone

from dossiers import links, services
from dossiers.deadlines import WorkingCalendar
from tests.backoffice.helpers import agency_with_procedure, filed, leader

pytestmark = pytest.mark.django_db
BASE = "/quan-tri/dossiers/dossier"


@pytest.fixture
def ward():
    agency, procedure = agency_with_procedure(processing_days=3, name="Đăng ký khai sinh")
    return agency, procedure, leader(agency, first_name="Lan", last_name="Trần")


def _slip(client, dossier, kind):
    response = client.get(f"{BASE}/{dossier.pk}/phieu/{kind}/")
    assert response.status_code == 200, kind
    return response.content.decode()


def _has_qr(page, dossier):
    assert "<svg" in page and "<path" in page
    assert links.lookup_url(dossier) in page


def test_receipt_and_appointment_slip(client, ward):
    agency, procedure, user = ward
    dossier = filed(procedure, agency, applicant_name="Nguyễn Thị Hoa")
    services.receive_dossier(dossier=dossier, actor=user)
    dossier.refresh_from_db()
    client.force_login(user)
    page = _slip(client, dossier, "tiep-nhan")
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in page
    assert "Mẫu số 01" in page and "Thông tư 03/2025/TT-VPCP" in page
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page
    assert dossier.code in page and "Nguyễn Thị Hoa" in page and "Đăng ký khai sinh" in page
    day = dossier.appointment_date
    assert f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}" in page
    assert "Lan" in page                                   # the clerk who received it signs
    assert "data-print" in page                            # the print button (static/js/portal.js)
    _has_qr(page, dossier)


def test_slips_follow_the_history(client, ward):
    agency, procedure, user = ward
    client.force_login(user)
    waiting = filed(procedure, agency)
    for kind in ("tiep-nhan", "bo-sung", "tu-choi", "xin-loi", "dung-xu-ly"):
        assert client.get(f"{BASE}/{waiting.pk}/phieu/{kind}/").status_code == 404, kind
    assert client.get(f"{BASE}/{waiting.pk}/phieu/khong-co/").status_code == 404
    _slip(client, waiting, "kiem-soat")


def test_supplement_slip(client, ward):
    agency, procedure, user = ward
    dossier = filed(procedure, agency)
    services.request_supplement(dossier=dossier, actor=user, reason="Ảnh chụp mờ",
                                missing_items=["Bản sao Giấy chứng nhận kết hôn", "Giấy chứng sinh"])
    client.force_login(user)
    page = _slip(client, dossier, "bo-sung")
    assert "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ" in page and "Mẫu số 02" in page
    assert "<li>Bản sao Giấy chứng nhận kết hôn</li>" in page and "Ảnh chụp mờ" in page
    _has_qr(page, dossier)


def test_refusal_slip(client, ward):
    agency, procedure, user = ward
    dossier = filed(procedure, agency)
    services.refuse_dossier(dossier=dossier, actor=user, reason="Không thuộc thẩm quyền <giải quyết>")
    client.force_login(user)
    page = _slip(client, dossier, "tu-choi")
    assert "Phiếu từ chối tiếp nhận giải quyết hồ sơ" in page
    assert "Không thuộc thẩm quyền &lt;giải quyết&gt;" in page
    _has_qr(page, dossier)


def test_apology_slip(client, ward):
    agency, procedure, user = ward
    dossier = filed(procedure, agency)
    services.receive_dossier(dossier=dossier, actor=user)
    dossier.refresh_from_db()
    old = dossier.appointment_date
    new = WorkingCalendar().add_working_days(old, 3)
    services.issue_apology(dossier=dossier, actor=user, new_appointment_date=new, reason="Cần xác minh thêm")
    client.force_login(user)
    page = _slip(client, dossier, "xin-loi")
    assert "Phiếu xin lỗi và hẹn lại ngày trả kết quả" in page and "Cần xác minh thêm" in page
    assert f"ngày {old.day:02d} tháng {old.month:02d} năm {old.year}" in page
    assert f"ngày {new.day:02d} tháng {new.month:02d} năm {new.year}" in page
    _has_qr(page, dossier)


def test_stop_notice_and_control_slip(client, ward):
    agency, procedure, user = ward
    dossier = filed(procedure, agency)
    services.receive_dossier(dossier=dossier, actor=user)
    services.assign_dossier(dossier=dossier, actor=user, specialist=user)
    services.stop_dossier(dossier=dossier, actor=user, reason="Khoản 2 Điều 19 Nghị định 118/2025/NĐ-CP")
    client.force_login(user)
    page = _slip(client, dossier, "dung-xu-ly")
    assert "Thông báo dừng giải quyết hồ sơ" in page and "Khoản 2 Điều 19" in page
    control = _slip(client, dossier, "kiem-soat")
    assert "Phiếu kiểm soát quá trình giải quyết hồ sơ" in control
    for label in ("Đăng ký trực tuyến", "Tiếp nhận", "Chuyển xử lý", "Dừng xử lý"):
        assert label in control, label
    _has_qr(control, dossier)


def test_control_slip_says_whether_the_result_was_on_time(client, ward):
    agency, procedure, user = ward
    dossier = filed(procedure, agency)
    services.receive_dossier(dossier=dossier, actor=user)
    services.assign_dossier(dossier=dossier, actor=user, specialist=user)
    services.record_result(dossier=dossier, actor=user, note="Đã cấp")
    client.force_login(user)
    assert "Trước hạn" in _slip(client, dossier, "kiem-soat")


def test_tracking_log_for_a_period(client, ward):
    agency, procedure, user = ward
    inside = filed(procedure, agency, applicant_name="Trong Kỳ")
    services.receive_dossier(dossier=inside, actor=user)
    services.assign_dossier(dossier=inside, actor=user, specialist=user)
    outside = filed(procedure, agency, applicant_name="Ngoài Kỳ",
                    submitted_at=timezone.now() - datetime.timedelta(days=90))
    client.force_login(user)
    today = timezone.localdate()
    response = client.get(f"{BASE}/so-theo-doi/", {"tu_ngay": (today - datetime.timedelta(days=7)).isoformat(),
                                                   "den_ngay": today.isoformat()})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Sổ theo dõi hồ sơ" in page and "Mẫu số 07" in page
    assert inside.code in page and "Trong Kỳ" in page
    assert outside.code not in page
    assert page.count(today.strftime("%d/%m/%Y")) >= 3       # received, handed over, printed
    assert "<svg" in page
