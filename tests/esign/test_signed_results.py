"""Signed electronic results: PAdES with the agency's certificate, validated with pyHanko, tamper evident."""

import io

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from dossiers import links
from dossiers.models import DossierFile, DossierFileKind
from dossiers.workflow import DossierStatus
from esign.models import ElectronicResult
from esign.signing import validate_signed_pdf
from tests.esign.certificates import SIGNER_NAME, SIGNER_ORGANISATION, make_signing_pair
from tests.tracking.helpers import clerk_of, filed_dossier, page_text, returned

pytestmark = pytest.mark.django_db


def result_pdf(text="Giay khai sinh ban dien tu"):
    """A real one-page PDF (pypdf), as a clerk's scanner or the registry software would produce."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def signing(settings, tmp_path):
    cache.clear()
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path / "files"}}}
    paths = make_signing_pair(tmp_path)
    settings.RESULT_SIGNING_CERT_FILE = str(paths["cert"])
    settings.RESULT_SIGNING_KEY_FILE = str(paths["key"])
    return paths


def with_result(pdf, **fields):
    dossier = filed_dossier(delivery_method="online", **fields)
    upload = SimpleUploadedFile("Giấy khai sinh điện tử.pdf", pdf, "application/pdf")
    return returned(dossier, clerk_of(dossier.agency), result_file=upload, method="online")


def stored_result(dossier):
    result_file = DossierFile.objects.get(dossier=dossier, kind=DossierFileKind.RESULT)
    with result_file.file.open("rb") as handle:
        return result_file, handle.read()


def test_result_pdf_is_signed_and_validates_with_pyhanko(signing):
    dossier = with_result(result_pdf())
    result_file, signed = stored_result(dossier)
    verdict = validate_signed_pdf(signed, [signing["ca"].read_bytes()])
    assert verdict.valid, verdict
    assert verdict.signer_name == SIGNER_NAME
    assert result_file.size == len(signed)
    record = ElectronicResult.objects.get(result_file=result_file)
    assert record.code == f"{dossier.code}-KQ1"
    assert record.signer_name == SIGNER_NAME and record.signer_organisation == SIGNER_ORGANISATION
    assert record.signed_at is not None and len(record.certificate_sha256) == 64


def test_a_modified_signed_file_fails_validation(signing):
    dossier = with_result(result_pdf())
    _result_file, signed = stored_result(dossier)
    # Change one byte of the signed content (the title the document carries).
    position = signed.index(b"Giay khai sinh")
    tampered = signed[:position] + b"X" + signed[position + 1:]
    verdict = validate_signed_pdf(tampered, [signing["ca"].read_bytes()])
    assert not verdict.intact and not verdict.valid
    # Bytes added after the signature are not covered by it either.
    appended = validate_signed_pdf(signed + b"\n% extra\n", [signing["ca"].read_bytes()])
    assert not appended.covers_whole_file and not appended.valid


def test_an_untrusted_root_fails_validation(signing, tmp_path):
    dossier = with_result(result_pdf())
    _result_file, signed = stored_result(dossier)
    other = tmp_path / "other"
    other.mkdir()
    stranger_ca = make_signing_pair(other)["ca"].read_bytes()
    verdict = validate_signed_pdf(signed, [stranger_ca])
    assert verdict.intact and not verdict.trusted and not verdict.valid


def test_the_result_page_shows_who_signed_and_when_and_serves_the_signed_file(client, signing):
    dossier = with_result(result_pdf())
    result_file, signed = stored_result(dossier)
    path = links.result_url(dossier).removeprefix(links.absolute(""))
    text = page_text(client.get(path))
    assert f"{dossier.code}-KQ1" in text
    assert SIGNER_NAME in text and "Đã ký số" in text
    download = client.get(path, {"tep": result_file.pk})
    assert b"".join(download.streaming_content) == signed


def test_result_codes_count_per_dossier(signing):
    dossier = filed_dossier(delivery_method="online")
    clerk = clerk_of(dossier.agency)
    from dossiers import services

    services.receive_dossier(dossier=dossier, actor=clerk)
    services.assign_dossier(dossier=dossier, actor=clerk, specialist=clerk)
    services.record_result(dossier=dossier, actor=clerk, result_file=SimpleUploadedFile(
        "ket-qua.pdf", result_pdf(), "application/pdf"))
    other = with_result(result_pdf())
    assert list(ElectronicResult.objects.filter(result_file__dossier=dossier).values_list("code", flat=True)) \
        == [f"{dossier.code}-KQ1"]
    assert ElectronicResult.objects.get(result_file__dossier=other).code == f"{other.code}-KQ1"


def test_a_pdf_that_cannot_be_signed_rolls_the_result_back(signing):
    dossier = filed_dossier(delivery_method="online")
    clerk = clerk_of(dossier.agency)
    from dossiers import services

    services.receive_dossier(dossier=dossier, actor=clerk)
    services.assign_dossier(dossier=dossier, actor=clerk, specialist=clerk)
    broken = b"%PDF-1.4\nnot really a pdf\n%%EOF\n"
    with pytest.raises(ValidationError):
        services.record_result(dossier=dossier, actor=clerk, result_file=SimpleUploadedFile(
            "ket-qua.pdf", broken, "application/pdf"))
    dossier.refresh_from_db()
    assert dossier.status == DossierStatus.PROCESSING
    assert not DossierFile.objects.filter(dossier=dossier, kind=DossierFileKind.RESULT).exists()
    assert not ElectronicResult.objects.exists()


def test_without_a_certificate_results_are_numbered_but_not_signed(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}}}
    pdf = result_pdf()
    dossier = with_result(pdf)
    result_file, stored = stored_result(dossier)
    assert stored == pdf
    record = ElectronicResult.objects.get(result_file=result_file)
    assert record.code == f"{dossier.code}-KQ1" and not record.is_signed
