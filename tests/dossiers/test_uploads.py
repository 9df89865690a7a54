"""Upload checks: real content types, DOCX really being Word, sizes, and sanitised names."""

import pytest

from dossiers.uploads import (
    DOCX,
    UploadRejected,
    check_dossier_total,
    sanitise_filename,
    sniff_content_type,
    validate_upload,
)
from tests.filing.support import docx_bytes, image_bytes, pdf_bytes, upload


@pytest.mark.parametrize("name, content, expected", [
    ("don.pdf", pdf_bytes(), "application/pdf"),
    ("anh.jpg", image_bytes("JPEG"), "image/jpeg"),
    ("anh.png", image_bytes("PNG"), "image/png"),
    ("to-khai.docx", docx_bytes(), DOCX),
])
def test_allowed_types_are_recognised_by_their_content(name, content, expected):
    checked = validate_upload(upload(name, content))
    assert (checked.content_type, checked.name, checked.size) == (expected, name, len(content))


@pytest.mark.parametrize("name, content", [
    ("hoa-don.pdf", b"MZ\x90\x00\x03 a Windows program"),
    ("trang.html", b"<html><script>alert(1)</script></html>"),
    ("giay-to.docx", docx_bytes(word=False)),  # a zip, not a Word document
    ("bang.docx", b"PK\x03\x04 broken zip"),
    ("anh.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
])
def test_other_content_is_refused_whatever_its_name(name, content):
    with pytest.raises(UploadRejected) as refused:
        validate_upload(upload(name, content, content_type="application/pdf"))
    assert "không đúng định dạng cho phép" in refused.value.messages[0]


def test_the_extension_follows_the_real_content():
    checked = validate_upload(upload("scan.pdf", image_bytes("PNG")))
    assert checked.name == "scan.png" and checked.content_type == "image/png"
    assert validate_upload(upload("scan", pdf_bytes())).name == "scan.pdf"
    assert validate_upload(upload("anh.JPEG", image_bytes("JPEG"))).name == "anh.jpeg"


def test_empty_and_oversized_files_are_refused(settings):
    settings.UPLOAD_MAX_FILE_BYTES = 1000
    with pytest.raises(UploadRejected, match="rỗng"):
        validate_upload(upload("rong.pdf", b""))
    with pytest.raises(UploadRejected, match="vượt quá giới hạn"):
        validate_upload(upload("lon.pdf", pdf_bytes(1001)))
    assert validate_upload(upload("vua.pdf", pdf_bytes(1000))).size == 1000


def test_the_dossier_total_is_limited(settings):
    settings.UPLOAD_MAX_DOSSIER_BYTES = 3000
    checked = validate_upload(upload("a.pdf", pdf_bytes(1000)))
    assert check_dossier_total([checked], already_stored_bytes=2000) == 3000
    with pytest.raises(UploadRejected, match="Tổng dung lượng"):
        check_dossier_total([checked], already_stored_bytes=2001)


@pytest.mark.parametrize("given, expected", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\An\\Giấy khai sinh.pdf", "Giấy khai sinh.pdf"),
    ("<script>alert(1)</script>.pdf", "script_.pdf"),
    ("đơn & 'tờ khai' $x;.pdf", "đơn _ _tờ khai_ _x_.pdf"),
    ("tên\x00\x1f  nhiều   khoảng.pdf", "tên nhiều khoảng.pdf"),
    ("....pdf", "tep.pdf"),
    ("a" * 300 + ".pdf", "a" * 116 + ".pdf"),
])
def test_names_are_sanitised(given, expected):
    assert sanitise_filename(given, "application/pdf") == expected


def test_the_stored_name_is_plain_ascii():
    checked = validate_upload(upload("Giấy khai sinh (bản sao).pdf", pdf_bytes()))
    assert checked.name == "Giấy khai sinh (bản sao).pdf"
    assert checked.file.name == "giay-khai-sinh-ban-sao.pdf"


def test_sniffing_leaves_the_file_readable_from_the_start():
    uploaded = upload("to-khai.docx", docx_bytes())
    assert sniff_content_type(uploaded) == DOCX
    assert uploaded.read(2) == b"PK"
