"""The public catalogue: the filtered list, the procedure's page and its form templates."""

import mimetypes
import os

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render

from .forms import CatalogueFilterForm
from .levels import EXPLANATIONS
from .models import FormTemplate, Procedure
from .selectors import procedure_for_detail, search_procedures

PAGE_SIZE = 20


def catalogue(request):
    form = CatalogueFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {"query": ""}
    procedures = search_procedures(**filters)
    page = Paginator(procedures, PAGE_SIZE).get_page(request.GET.get("trang"))
    query_without_page = request.GET.copy()
    query_without_page.pop("trang", None)
    return render(request, "procedures/catalogue.html", {
        "form": form,
        "page": page,
        "query": filters["query"],
        "querystring": query_without_page.urlencode(),
    })


def detail(request, code):
    try:
        procedure = procedure_for_detail(code)
    except Procedure.DoesNotExist:
        raise Http404 from None
    return render(request, "procedures/detail.html", {
        "procedure": procedure,
        "level": EXPLANATIONS[procedure.service_level],
    })


def download_template(request, code, template_id):
    template = get_object_or_404(
        FormTemplate.objects.select_related("component__procedure"),
        pk=template_id, component__procedure__code=code, component__procedure__is_published=True,
    )
    filename = os.path.basename(template.file.name)
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    try:
        handle = template.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
