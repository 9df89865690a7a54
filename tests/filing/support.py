"""Helpers for the filing tests: real sample files, a procedure ready to file, and the wizard walked by the client."""

import io
import uuid
import zipfile
from datetime import date

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from dossiers.services import Attachment, submit_dossier
from tests.factories import AgencyFactory, ComponentFactory, DeclarationFieldFactory, ProcedureFactory

PASSED = "PASSED"  # accepted by django-simple-captcha in test mode (CAPTCHA_TEST_MODE=1)

APPLICANT = {
    "nd-full_name": "Nguyễn Thị Bình",
    "nd-birth_date": "1990-05-17",
    "nd-id_number": "001190012345",
    "nd-phone": "0912 345 678",
    "nd-email": "binh.nguyen@example.com",
    "nd-address": "Số 5 ngõ 12 phố Hàng Bông, phường Hoàn Kiếm, Hà Nội",
}


@pytest.fixture
def private_storage(settings, tmp_path):
    """Uploads go to a fresh directory; the project's own private storage is never touched."""
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "files", "base_url": None},
    }}
    return tmp_path / "files"


@pytest.fixture
def fresh_rate_limits():
    """Rate-limit counters live in the cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


def pdf_bytes(size=None):
    body = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    if size is not None:
        body = body + b"%" + b"0" * max(0, size - len(body) - 1)
    return body


def image_bytes(kind="PNG"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 20, 30)).save(buffer, kind)
    return buffer.getvalue()


def docx_bytes(*, word=True):
    """A minimal OOXML package; ``word=False`` gives an ordinary zip dressed as one."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if word:
            archive.writestr("[Content_Types].xml", (
                '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                'package/2006/content-types"><Override PartName="/word/document.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'))
            archive.writestr("word/document.xml", "<w:document/>")
        else:
            archive.writestr("notes.txt", "không phải văn bản Word")
    return buffer.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def fileable_procedure(*, level=3, agencies=None, components=1, fields=(), **kwargs):
    """A published procedure of ``level`` with ``components`` required documents and the given fields."""
    procedure = ProcedureFactory(service_level=level, agencies=agencies, **kwargs)
    for index in range(components):
        ComponentFactory(procedure=procedure, name=f"Tờ khai đăng ký số {index + 1}", order=index)
    for spec in fields:
        DeclarationFieldFactory(procedure=procedure, **spec)
    return procedure


# The marriage declaration's identity fields (the demo catalogue's keys, procedures/demo.py MARRIAGE).
MARRIAGE_FIELDS = [
    {"key": "ho_ten_chong", "label": "Họ, chữ đệm, tên bên nam", "order": 1},
    {"key": "ngay_sinh_chong", "label": "Ngày, tháng, năm sinh bên nam", "field_type": "date", "order": 2},
    {"key": "so_dinh_danh_chong", "label": "Số định danh cá nhân bên nam", "field_type": "id_number", "order": 3},
    {"key": "ho_ten_vo", "label": "Họ, chữ đệm, tên bên nữ", "order": 4},
    {"key": "ngay_sinh_vo", "label": "Ngày, tháng, năm sinh bên nữ", "field_type": "date", "order": 5},
    {"key": "so_dinh_danh_vo", "label": "Số định danh cá nhân bên nữ", "field_type": "id_number", "order": 6},
]


def marriage_procedure(**kwargs):
    """A marriage registration whose declaration asks both parties' identity (all required)."""
    return fileable_procedure(components=0, name="Đăng ký kết hôn",
                              fields=[{**spec, "is_required": True} for spec in MARRIAGE_FIELDS], **kwargs)


def two_agency_procedure(**kwargs):
    parent = AgencyFactory(name="UBND quận Hoàn Kiếm")
    first = AgencyFactory(name="UBND phường Hàng Bông", parent=parent)
    second = AgencyFactory(name="UBND phường Hàng Trống", parent=parent)
    return fileable_procedure(agencies=[first, second], **kwargs), first, second


def file_through_wizard(client, procedure, *, declaration=None, files=None, agency=None, captcha=PASSED,
                        extra=None):
    """Walk every step with valid answers; return the confirm page's response (a redirect on success)."""
    from django.urls import reverse

    code = procedure.code
    client.post(reverse("filing:start", args=[code]))
    if agency is not None:
        response = client.post(reverse("filing:agency", args=[code]), {"agency": agency.pk})
        assert response.status_code == 302, response.content.decode()[:2000]
    data = {**APPLICANT, **(declaration or {}), **(extra or {})}
    response = client.post(reverse("filing:declaration", args=[code]), data)
    assert response.status_code == 302, _errors(response)
    components = list(procedure.components.all())
    if components:
        payload = {"hanh-dong": "tiep-tuc"}
        for component in components:
            payload[f"tp-{component.pk}"] = (files or {}).get(component.pk) or [upload("to-khai.pdf", pdf_bytes())]
        response = client.post(reverse("filing:documents", args=[code]), payload)
        assert response.status_code == 302, _errors(response)
    response = client.get(reverse("filing:confirm", args=[code]))
    assert response.status_code == 200
    token = response.context["form"]["submission_token"].value()
    return client.post(reverse("filing:confirm", args=[code]), {
        "submission_token": token, "captcha_0": "abc", "captcha_1": captcha, "consent": "on",
    })


def _errors(response):
    if response.context is None:
        return response.status_code
    messages = []
    for key in ("forms",):
        forms = response.context.get(key)
        if forms is not None:
            messages.extend(form.errors for form in forms.forms)
    if "slots" in response.context:
        messages.extend(slot["errors"] for slot in response.context["slots"])
    return messages


# --- Submitting without the wizard ---------------------------------------------------------------

# What the wizard hands ``submit_dossier`` once the applicant form is cleaned.
CLEANED_APPLICANT = {"full_name": "Lê Văn Cường", "birth_date": date(1985, 3, 2), "id_number": "001085000111",
             "phone": "+84987654321", "email": "cuong@example.com", "address": "Số 9 phố Huế, Hà Nội"}


def stored_attachment(component, size=None):
    content = pdf_bytes(size)
    name = default_storage.save(f"dossiers/test/{uuid.uuid4().hex}/to-khai.pdf", ContentFile(content))
    return Attachment(component=component, file_name=name, original_name="Tờ khai.pdf",
                      content_type="application/pdf", size=len(content) if size is None else size)


def submit(procedure, **kwargs):
    kwargs.setdefault("agency", procedure.agencies.first())
    kwargs.setdefault("attachments", [stored_attachment(c) for c in procedure.components.filter(is_required=True)])
    return submit_dossier(procedure=procedure, applicant=CLEANED_APPLICANT, declaration={}, declaration_schema=[], **kwargs)
