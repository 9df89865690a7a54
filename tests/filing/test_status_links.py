"""The pages only the applicant sees link to the dossier's status by the signed link: no captcha to answer."""

import io
import re

import pytest
import zxingcpp
from django.test import Client
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from dossiers import links
from dossiers.models import Dossier
from tests.filing.support import file_through_wizard, fileable_procedure, fresh_rate_limits, private_storage  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_storage", "fresh_rate_limits")]


def _status_link(page):
    [href] = re.findall(r'href="(/tim-kiem/[^"?]+/)"[^>]*>Tra cứu hồ sơ<', page)
    return href


def _opens_the_status(href, dossier):
    page = Client().get(href).content.decode()  # another device
    return f'class="dossier-code">{dossier.code}<' in page and 'class="masked-name"' in page


def test_the_success_page_and_the_receipt_from_its_link_open_the_status_without_a_captcha(client):
    procedure = fileable_procedure(components=0)
    file_through_wizard(client, procedure)
    dossier = Dossier.objects.get()
    success = client.get(reverse("filing:success", args=[procedure.code, dossier.code])).content.decode()
    assert _opens_the_status(_status_link(success), dossier)
    receipt = Client().get(links.receipt_path(dossier)).content.decode()
    assert _opens_the_status(_status_link(receipt), dossier)


def test_the_receipt_pdfs_qr_code_opens_the_status_without_a_captcha(client, settings):
    procedure = fileable_procedure(components=0)
    file_through_wizard(client, procedure)
    dossier = Dossier.objects.get()
    response = client.get(reverse("filing:receipt_pdf", args=[procedure.code, dossier.code]))
    assert response["Content-Type"] == "application/pdf"
    [page] = PdfReader(io.BytesIO(response.content)).pages
    texts = [result.text for image in page.images
             for result in zxingcpp.read_barcodes(Image.open(io.BytesIO(image.data)).convert("L"))]
    [link] = texts
    assert "/tim-kiem/" in link and "?ma=" not in link
    assert _opens_the_status(link.removeprefix(settings.PORTAL_BASE_URL), dossier)
