"""The slips as PDF: one sheet for a dossier with up to five components, real text, a QR code that decodes."""

import io

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from dossiers import links, services
from tests.backoffice.helpers import agency_with_procedure, clerk, filed
from tests.factories import ComponentFactory

pytestmark = pytest.mark.django_db
BASE = "/quan-tri/dossiers/dossier"
COMPONENTS = [
    "Tờ khai đăng ký khai sinh theo mẫu",
    "Giấy chứng sinh do cơ sở y tế cấp",
    "Giấy tờ tùy thân của người đi đăng ký khai sinh",
    "Giấy chứng nhận kết hôn của cha, mẹ trẻ",
    "Văn bản ủy quyền có chứng thực (trường hợp ủy quyền)",
]


@pytest.fixture
def received():
    agency, procedure = agency_with_procedure(processing_days=0, name="Đăng ký khai sinh",
                                              processing_note="Ngay trong ngày tiếp nhận hồ sơ")
    for order, name in enumerate(COMPONENTS):
        ComponentFactory(procedure=procedure, name=name, order=order)
    desk = clerk(agency, first_name="Lan", last_name="Trần")
    dossier = filed(procedure, agency, applicant_name="Nguyễn Thị Hoa",
                    applicant_address="Số 5 ngõ 12 phố Hàng Bông, phường Hàng Bông, quận Hoàn Kiếm, Hà Nội")
    services.receive_dossier(dossier=dossier, actor=desk)
    dossier.refresh_from_db()
    return dossier, desk


def _pdf(client, dossier, kind):
    response = client.get(f"{BASE}/{dossier.pk}/phieu/{kind}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    return PdfReader(io.BytesIO(response.content))


def _qr_texts(page):
    texts = []
    for image in page.images:
        picture = Image.open(io.BytesIO(image.data)).convert("L")
        texts += [result.text for result in zxingcpp.read_barcodes(picture)]
    return texts


def _is_status_link_of(texts, dossier):
    """The citizen's receipt carries the applicant's signed status link (compared by what it names:
    tokens carry their signing second)."""
    [qr] = texts
    return (qr.startswith(links.absolute("/tim-kiem/"))
            and links.read_token(links.STATUS, qr.rstrip("/").rsplit("/", 1)[-1], max_age_days=1)[0] == dossier.pk)


def test_receipt_slip_pdf_is_one_sheet_with_text_fonts_and_a_qr_code(client, received):
    dossier, desk = received
    client.force_login(desk)
    reader = _pdf(client, dossier, "tiep-nhan")
    assert len(reader.pages) == 1
    page = reader.pages[0]
    # A5 portrait: 148 × 210 mm in points.
    assert round(float(page.mediabox.width)) == 420 and round(float(page.mediabox.height)) == 595
    text = " ".join(page.extract_text().split())
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text.upper()
    assert dossier.code in text and "Nguyễn Thị Hoa" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    for name in COMPONENTS:
        assert name in text
    # Processing time in words: the procedure's note, never "0 ngày làm việc".
    assert "Ngay trong ngày tiếp nhận hồ sơ" in text and "0 ngày làm việc" not in text
    fonts = {str(font["/BaseFont"]) for font in _fonts(page)}
    assert any("Slip-Serif" in name for name in fonts), fonts   # the shipped DejaVu Serif Condensed
    assert all("/FontFile2" in font["/FontDescriptor"] for font in _descendant_fonts(page))  # embedded
    assert _is_status_link_of(_qr_texts(page), dossier)  # scanned, it opens the status without a captcha


def _fonts(page):
    return [font.get_object() for font in page["/Resources"]["/Font"].values()]


def _descendant_fonts(page):
    found = []
    for font in _fonts(page):
        for child in font.get("/DescendantFonts", [font]):
            found.append(child.get_object())
    return found


def test_control_slip_pdf_is_one_sheet(client, received):
    dossier, desk = received
    client.force_login(desk)
    reader = _pdf(client, dossier, "kiem-soat")
    assert len(reader.pages) == 1
    assert dossier.code in reader.pages[0].extract_text()


def test_pdf_of_another_agencys_dossier_is_404(client, received):
    dossier, _desk = received
    other_agency, _procedure = agency_with_procedure()
    client.force_login(clerk(other_agency))
    assert client.get(f"{BASE}/{dossier.pk}/phieu/tiep-nhan/pdf/").status_code == 404


def test_pdf_of_a_slip_the_history_does_not_have_is_404(client, received):
    dossier, desk = received
    client.force_login(desk)
    assert client.get(f"{BASE}/{dossier.pk}/phieu/tu-choi/pdf/").status_code == 404
    assert client.get(f"{BASE}/{dossier.pk}/phieu/khong-co/pdf/").status_code == 404


def test_the_citizens_receipt_as_a_one_page_pdf(client):
    from django.test import Client
    from django.urls import reverse

    from dossiers.models import Dossier
    from tests.filing.support import file_through_wizard, fileable_procedure

    procedure = fileable_procedure()
    file_through_wizard(client, procedure)
    dossier = Dossier.objects.get()
    receipt = reverse("filing:receipt", args=[procedure.code, dossier.code])
    pdf_url = reverse("filing:receipt_pdf", args=[procedure.code, dossier.code])
    assert pdf_url in client.get(receipt).content.decode()                    # the link on the receipt page
    response = client.get(pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert dossier.code in text and dossier.applicant_name in text
    assert "0 ngày làm việc" not in text
    assert _is_status_link_of(_qr_texts(reader.pages[0]), dossier)
    assert Client().get(pdf_url).status_code == 404                          # only the browser that filed


def test_the_citizens_receipt_as_pdf_through_the_signed_receipt_link_only(client):
    from django.test import Client
    from django.urls import reverse

    from dossiers.models import Dossier
    from tests.filing.support import file_through_wizard, fileable_procedure

    procedure = fileable_procedure()
    file_through_wizard(client, procedure)
    dossier = Dossier.objects.get()
    token = links.make_token(links.RECEIPT, dossier.pk)
    device = Client()                                                        # another device, no session
    page = device.get(links.receipt_path(dossier))
    pdf_url = reverse("filing:receipt_link_pdf", args=[token])
    assert page.status_code == 200 and pdf_url in page.content.decode()      # offered on the link's page
    response = device.get(pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"]
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = " ".join(reader.pages[0].extract_text().split())
    assert dossier.code in text and dossier.applicant_name in text
    assert _is_status_link_of(_qr_texts(reader.pages[0]), dossier)
    # A token that is not one, one tampered with, or one of another purpose: the friendly 404, no PDF.
    for bad in ("khong-phai-token", token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
                links.make_token(links.RATING, dossier.pk)):
        refused = device.get(reverse("filing:receipt_link_pdf", args=[bad]))
        assert refused.status_code == 404 and refused["Content-Type"].startswith("text/html")
        assert "Đường dẫn đến giấy biên nhận không đúng" in refused.content.decode()
