"""Printed documents as PDF: the one-stop shop's slips and the citizen's receipt.

The PDF is the same HTML page the browser prints, rendered by WeasyPrint (it needs
Pango from the system: Debian's ``libpango-1.0-0`` and ``libpangoft2-1.0-0``). The page's
stylesheets, fonts and images are read from the project's static files and nothing
else: a URL outside ``STATIC_URL`` (or a ``data:`` URL) is refused, so rendering never
reaches the network, whatever a dossier's text contains. The fonts (DejaVu Serif
Condensed, full Vietnamese coverage) ship in ``static/fonts/`` and are embedded.
"""

import base64
from io import BytesIO

import qrcode
from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.utils.safestring import mark_safe


class ResourceRefused(Exception):
    """A page asked for something that is neither a static file nor inline data."""


def _static_fetcher(url):
    from weasyprint.urls import default_url_fetcher

    if url.startswith("data:"):
        return default_url_fetcher(url)
    prefix = f"file://{settings.STATIC_URL}" if settings.STATIC_URL.startswith("/") else settings.STATIC_URL
    for start in (prefix, settings.STATIC_URL):
        if url.startswith(start):
            path = finders.find(url[len(start):].split("?")[0])
            if path:
                with open(path, "rb") as handle:
                    return {"string": handle.read(), "filename": path}
    raise ResourceRefused(url)


def html_to_pdf(html):
    """The PDF bytes of an HTML page whose resources are static files (see the module's note)."""
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_static_fetcher, base_url="/").write_pdf()


def pdf_response(html, filename):
    """``html`` as a PDF shown in the browser (``inline``), never cached (it names a citizen)."""
    response = HttpResponse(html_to_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def qr_png_tag(url):
    """An ``<img>`` of a QR code for ``url`` as inline PNG: PDF readers and QR decoders read it as a picture."""
    code = qrcode.QRCode(border=2, box_size=6)
    code.add_data(url)
    code.make(fit=True)
    buffer = BytesIO()
    code.make_image().save(buffer, format="PNG")
    data = base64.b64encode(buffer.getvalue()).decode()
    return mark_safe(f'<img class="qr" alt="QR" src="data:image/png;base64,{data}">')  # noqa: S308 - our own PNG
