"""The electronic result, downloaded through its secret link and never through the lookup page."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from dossiers import links
from dossiers.models import DossierFile, DossierFileKind
from tests.tracking.helpers import clerk_of, filed_dossier, lookup_post, page_text, returned

pytestmark = pytest.mark.django_db

RESULT_PDF = b"%PDF-1.7\n% giay khai sinh ban dien tu\n%%EOF\n"


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    cache.clear()
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}


def result_path(dossier):
    return links.result_url(dossier).removeprefix(links.absolute(""))


@pytest.fixture
def online_result():
    dossier = filed_dossier(delivery_method="online")
    upload = SimpleUploadedFile("Giấy khai sinh điện tử.pdf", RESULT_PDF, "application/pdf")
    return returned(dossier, clerk_of(dossier.agency), result_file=upload, method="online")


def test_result_is_downloaded_through_its_link(client, online_result):
    page = client.get(result_path(online_result))
    assert page.status_code == 200
    text = page_text(page)
    assert online_result.code in text and "Giấy khai sinh điện tử.pdf" in text
    result_file = DossierFile.objects.get(dossier=online_result, kind=DossierFileKind.RESULT)
    download = client.get(result_path(online_result), {"tep": result_file.pk})
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == RESULT_PDF
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"]


def test_the_lookup_page_never_offers_the_result(client, online_result):
    text = page_text(lookup_post(client, online_result.code))
    assert "/ket-qua/" not in text
    assert "Giấy khai sinh điện tử" not in text


def test_only_this_dossiers_result_files(client, online_result):
    application = DossierFile.objects.create(dossier=online_result, kind=DossierFileKind.APPLICATION,
                                             file="dossiers/x/to-khai.pdf", original_name="to-khai.pdf",
                                             content_type="application/pdf", size=10)
    response = client.get(result_path(online_result), {"tep": application.pk})
    assert response.status_code == 404
    assert client.get(result_path(online_result), {"tep": "abc"}).status_code == 404


def test_no_online_result_no_download(client):
    dossier = filed_dossier(delivery_method="in_person")
    upload = SimpleUploadedFile("kq.pdf", RESULT_PDF, "application/pdf")
    dossier = returned(dossier, clerk_of(dossier.agency), result_file=upload)
    response = client.get(result_path(dossier))
    assert response.status_code == 404
    assert "chưa có kết quả điện tử" in page_text(response)


def test_tampered_result_link(client, online_result):
    token = links.make_token(links.RESULT, online_result.pk)
    for bad in (token[:-2] + "zz", links.make_token(links.RATING, online_result.pk)):
        response = client.get(f"/ket-qua/{bad}/")
        assert response.status_code == 404
        assert online_result.code not in page_text(response)
