"""Form template files built in Python: a minimal Word (DOCX) form and a printable PDF.

The demo catalogue generates its mẫu đơn, tờ khai with these, so a fresh portal has
real files to download without shipping binaries in the repository. Both builders
are deterministic (fixed timestamps), so seeding twice produces identical bytes.
"""

import io
import os
import zipfile
from xml.sax.saxutils import escape

# Python's mimetypes only knows .docx when the system has a mime.types file; a slim
# container image does not, so the portal names its own content types.
CONTENT_TYPES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".doc": "application/msword",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xls": "application/vnd.ms-excel",
}
TEMPLATE_EXTENSIONS = [ext.lstrip(".") for ext in CONTENT_TYPES]


def content_type_for(filename):
    """The content type a form template is served with, from its extension."""
    return CONTENT_TYPES.get(os.path.splitext(filename)[1].lower(), "application/octet-stream")


_FIXED_ZIP_TIME = (2025, 7, 1, 8, 0, 0)

_DOCX_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>
<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>
</Types>"""

_DOCX_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>
</Relationships>"""

_DOCX_CORE = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" \
xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<dc:title>{title}</dc:title><dc:creator>{creator}</dc:creator><dc:language>vi-VN</dc:language>
</cp:coreProperties>"""


def _paragraph(text, *, bold=False, centered=False, size=None, italic=False):
    props = ""
    if centered:
        props += '<w:pPr><w:jc w:val="center"/></w:pPr>'
    run_props = ""
    if bold:
        run_props += "<w:b/>"
    if italic:
        run_props += "<w:i/>"
    if size:
        run_props += f'<w:sz w:val="{size * 2}"/>'
    run_props += '<w:lang w:val="vi-VN"/>'
    return (f"<w:p>{props}<w:r><w:rPr>{run_props}</w:rPr>"
            f'<w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>')


def form_lines(*, title, authority, lines):
    """The printed form as plain lines, shared by the DOCX and the PDF builders."""
    return {
        "header": ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập – Tự do – Hạnh phúc"],
        "title": title.upper(),
        "addressee": f"Kính gửi: {authority}" if authority else "",
        "lines": [f"{line}: {'.' * max(8, 60 - len(line))}" for line in lines],
        "closing": ["Tôi cam đoan nội dung khai trên đây là đúng sự thật và chịu trách nhiệm trước pháp luật.",
                    "……, ngày …… tháng …… năm ……", "NGƯỜI YÊU CẦU (ký, ghi rõ họ tên)"],
    }


def build_docx(*, title, authority="", lines=(), creator="Cổng dịch vụ công trực tuyến"):
    """A minimal, valid Word document: the national header, the title and one line per field."""
    form = form_lines(title=title, authority=authority, lines=lines)
    body = [_paragraph(form["header"][0], bold=True, centered=True),
            _paragraph(form["header"][1], bold=True, centered=True, italic=True),
            _paragraph(""),
            _paragraph(form["title"], bold=True, centered=True, size=14)]
    if form["addressee"]:
        body.append(_paragraph(form["addressee"], centered=True))
    body.append(_paragraph(""))
    body += [_paragraph(line) for line in form["lines"]]
    body.append(_paragraph(""))
    body += [_paragraph(form["closing"][0], italic=True), _paragraph(form["closing"][1]),
             _paragraph(form["closing"][2], bold=True)]
    document = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
                + "".join(body)
                + '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
                  '<w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1701"/></w:sectPr>'
                  "</w:body></w:document>")
    parts = [
        ("[Content_Types].xml", _DOCX_CONTENT_TYPES),
        ("_rels/.rels", _DOCX_RELS),
        ("docProps/core.xml", _DOCX_CORE.format(title=escape(title), creator=escape(creator))),
        ("word/document.xml", document),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts:
            info = zipfile.ZipInfo(name, date_time=_FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.encode("utf-8"))
    return buffer.getvalue()


_FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
]


def _font(size):
    from PIL import ImageFont

    for path in _FONT_CANDIDATES:
        if os.path.exists(path):
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size=size)


def build_pdf(*, title, authority="", lines=()):
    """A one-page A4 PDF of the printed form, rendered with Pillow (Vietnamese glyphs need a real font)."""
    from PIL import Image, ImageDraw

    form = form_lines(title=title, authority=authority, lines=lines)
    width, height = 1240, 1754  # A4 at 150 dpi
    page = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(page)
    regular, heading = _font(24), _font(30)

    def centred(y, text, font):
        left, _top, right, _bottom = draw.textbbox((0, 0), text, font=font)
        draw.text(((width - (right - left)) / 2, y), text, font=font, fill=0)

    y = 110
    for text in form["header"]:
        centred(y, text, regular)
        y += 38
    y += 50
    centred(y, form["title"], heading)
    y += 60
    if form["addressee"]:
        centred(y, form["addressee"], regular)
        y += 60
    for text in [*form["lines"], "", *form["closing"]]:
        draw.text((150, y), text[:90], font=regular, fill=0)
        y += 44
    buffer = io.BytesIO()
    # Pillow stamps the current time in the PDF; fixed metadata keeps seeding deterministic.
    page.save(buffer, "PDF", resolution=150.0, title=title, author="Cổng dịch vụ công trực tuyến",
              creationDate=_pdf_date(), modDate=_pdf_date())
    return buffer.getvalue()


def _pdf_date():
    import calendar
    import time

    return time.gmtime(calendar.timegm((*_FIXED_ZIP_TIME, 0, 0, 0)))
