"""Printed documents as PDF: the one-stop shop's slips and the citizen's receipt.

The PDF is the same HTML page the browser prints, rendered by WeasyPrint (it needs
Pango from the system: Debian's ``libpango-1.0-0`` and ``libpangoft2-1.0-0``). The page's
stylesheets, fonts and images are read from the project's static files and nothing
else: a URL outside ``STATIC_URL`` (or a ``data:`` URL) is refused, so rendering never
reaches the network, whatever a dossier's text contains. The fonts (DejaVu Serif
Condensed, full Vietnamese coverage) ship in ``static/fonts/`` and are embedded.
"""

import base64
import mimetypes
from io import BytesIO
from urllib.parse import unquote

import qrcode
from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.utils.safestring import mark_safe


class ResourceRefused(Exception):
    """A page asked for something that is neither a static file nor inline data."""


def _static_fetcher():
    """A WeasyPrint URL fetcher that answers only static files and ``data:`` URLs."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFilesFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            # The page's base URL is "/", so "/static/css/x.css" arrives as "file:///static/css/x.css".
            for prefix in (f"file://{settings.STATIC_URL}", settings.STATIC_URL):
                if url.startswith(prefix):
                    path = finders.find(unquote(url[len(prefix):].split("?")[0].split("#")[0]))
                    if path:
                        with open(path, "rb") as handle:
                            body = handle.read()
                        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
                        return URLFetcherResponse(url, body, {"Content-Type": content_type})
            raise ResourceRefused(url)

    return StaticFilesFetcher(allowed_protocols={"file", "data"})


def html_to_pdf(html):
    """The PDF bytes of an HTML page whose resources are static files (see the module's note)."""
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=_static_fetcher(), base_url="/").write_pdf()


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
