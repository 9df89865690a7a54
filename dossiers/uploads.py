"""Checking citizens' uploads: allowed types by their real content, sizes, and safe names.

Used by the filing wizard and by the supplement page alike::

    from dossiers.uploads import validate_upload, check_dossier_total, UploadRejected

    checked = validate_upload(request.FILES["tep"])      # raises UploadRejected (a ValidationError)
    check_dossier_total([checked], already_stored_bytes=...)
    DossierFile(file=checked.file, original_name=checked.name,
                content_type=checked.content_type, size=checked.size, …)
"""

import re
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# The extensions a name may keep for each real type; the first is used when it has none of them.
EXTENSIONS = {PDF: ("pdf",), JPEG: ("jpg", "jpeg"), PNG: ("png",), DOCX: ("docx",)}
ACCEPT_ATTRIBUTE = ".pdf,.jpg,.jpeg,.png,.docx"
# What the sniffing reads: magic numbers sit in the first bytes.
_HEAD_BYTES = 8192
_DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_UNSAFE = re.compile(r"[^\w\s.()\-]+", re.UNICODE)
_SPACES = re.compile(r"\s+")
MAX_NAME_LENGTH = 120


class UploadRejected(ValidationError):
    """The file is refused; the message says why, in words the citizen understands."""


@dataclass
class CheckedUpload:
    """An upload that passed every check: store ``file`` with ``name`` (already sanitised)."""

    file: object
    name: str
    content_type: str
    size: int


def allowed_types():
    return [content_type for content_type in settings.UPLOAD_ALLOWED_TYPES if content_type in EXTENSIONS]


def sanitise_filename(name, content_type=None):
    """A display- and storage-safe file name: no path, no control or shell characters, bounded length.

    Vietnamese letters are kept. When ``content_type`` is given, the extension is made to
    match the real content (``scan.pdf`` holding a PNG becomes ``scan.png``).
    """
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = _UNSAFE.sub("_", name)
    name = _SPACES.sub(" ", name).strip()
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    extension = extension.lower()
    if content_type in EXTENSIONS and extension not in EXTENSIONS[content_type]:
        if extension and extension not in {ext for exts in EXTENSIONS.values() for ext in exts}:
            stem = f"{stem}.{extension}" if stem else extension
        extension = EXTENSIONS[content_type][0]
    stem = stem.strip(" .") or "tep"
    stem = stem[: MAX_NAME_LENGTH - len(extension) - 1]
    return f"{stem}.{extension}" if extension else stem


def storage_name(name):
    """The name on disk: ASCII only (the directory is random; the original name is kept in the row)."""
    stem, _dot, extension = name.rpartition(".")
    return f"{slugify(stem)[:60] or 'tep'}.{extension}" if extension else slugify(name)[:60] or "tep"


def _read_head(uploaded):
    uploaded.seek(0)
    head = uploaded.read(_HEAD_BYTES)
    uploaded.seek(0)
    return head


def _is_word_document(uploaded):
    """A DOCX is a zip: it must open as one and declare a WordprocessingML main document."""
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names or "word/document.xml" not in names:
                return False
            with archive.open("[Content_Types].xml") as handle:
                return _DOCX_MAIN in handle.read(256 * 1024)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError, NotImplementedError):
        return False
    finally:
        uploaded.seek(0)


def sniff_content_type(uploaded):
    """The real type of the upload from its bytes (``None`` when it is none of the allowed ones)."""
    head = _read_head(uploaded)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime in (PDF, JPEG, PNG):
        return mime
    if mime in (DOCX, "application/zip") or head.startswith(b"PK\x03\x04"):
        return DOCX if _is_word_document(uploaded) else None
    return None


def validate_upload(uploaded, *, max_bytes=None):
    """Check one uploaded file; return a ``CheckedUpload`` or raise ``UploadRejected``.

    Guarantees: the content really is one of ``settings.UPLOAD_ALLOWED_TYPES`` (PDF,
    JPEG, PNG, or a zip that is an OOXML Word document), whatever its name says; it is
    not empty and not larger than ``settings.UPLOAD_MAX_FILE_BYTES``; its name is
    sanitised and its extension matches the content.
    """
    max_bytes = settings.UPLOAD_MAX_FILE_BYTES if max_bytes is None else max_bytes
    display_name = sanitise_filename(getattr(uploaded, "name", ""))
    size = getattr(uploaded, "size", None) or 0
    if size <= 0:
        raise UploadRejected(_("Tệp “%(name)s” rỗng."), code="empty", params={"name": display_name})
    if size > max_bytes:
        raise UploadRejected(
            _("Tệp “%(name)s” dung lượng %(size)s, vượt quá giới hạn %(limit)s cho mỗi tệp."),
            code="too_large",
            params={"name": display_name, "size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
        )
    content_type = sniff_content_type(uploaded)
    if content_type is None or content_type not in allowed_types():
        raise UploadRejected(
            _("Tệp “%(name)s” không đúng định dạng cho phép. Chỉ nhận tệp PDF, JPG, PNG hoặc DOCX "
              "(nội dung tệp được kiểm tra, không chỉ phần đuôi tên tệp)."),
            code="type", params={"name": display_name},
        )
    name = sanitise_filename(getattr(uploaded, "name", ""), content_type)
    uploaded.name = storage_name(name)
    return CheckedUpload(file=uploaded, name=name, content_type=content_type, size=size)


def check_dossier_total(checked_uploads, *, already_stored_bytes=0, max_bytes=None):
    """Refuse the batch when it would bring the dossier over ``settings.UPLOAD_MAX_DOSSIER_BYTES``."""
    max_bytes = settings.UPLOAD_MAX_DOSSIER_BYTES if max_bytes is None else max_bytes
    total = already_stored_bytes + sum(upload.size for upload in checked_uploads)
    if total > max_bytes:
        raise UploadRejected(
            _("Tổng dung lượng các tệp của hồ sơ (%(size)s) vượt quá giới hạn %(limit)s. "
              "Vui lòng giảm dung lượng tệp (ví dụ quét với độ phân giải thấp hơn)."),
            code="dossier_too_large",
            params={"size": filesizeformat(total), "limit": filesizeformat(max_bytes)},
        )
    return total
