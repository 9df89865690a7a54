"""The public catalogue: the filtered list, the procedure's page and its form templates."""

import os
import re

from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.cache import patch_cache_control

from .documents import content_type_for
from .forms import CatalogueFilterForm
from .levels import EXPLANATIONS
from .models import FormTemplate, Procedure
from .pagecache import cache_public_page
from .selectors import catalogue_matches, procedure_for_detail

PAGE_SIZE = 20
# What a procedure code may look like (see Procedure.code); anything else is a 404 before any query.
_CODE = re.compile(r"^[0-9A-Za-z.\-]{1,30}$")


@cache_public_page
def catalogue(request):
    """The list of published procedures, filtered; a bad parameter is dropped and reported, never a 500."""
    form = CatalogueFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {"query": ""}
    page = Paginator(catalogue_matches(**filters), PAGE_SIZE).get_page(request.GET.get("trang"))
    query_without_page = request.GET.copy()
    query_without_page.pop("trang", None)
    ignored_filters = form.is_bound and bool(form.errors)
    response = render(request, "procedures/catalogue.html", {
        "form": form,
        "page": page,
        "page_range": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "query": filters["query"],
        "querystring": query_without_page.urlencode(),
        "ignored_filters": ignored_filters,
        "level_explanations": EXPLANATIONS,
    })
    if ignored_filters:
        # The notice about the dropped filters is a form error: never kept in a cache.
        patch_cache_control(response, private=True)
    return response


@cache_public_page
def detail(request, code):
    if not _CODE.match(code):
        raise Http404
    try:
        procedure = procedure_for_detail(code)
    except Procedure.DoesNotExist:
        raise Http404 from None
    return render(request, "procedures/detail.html", {
        "procedure": procedure,
        "level": EXPLANATIONS[procedure.service_level],
    })


def download_template(request, code, template_id):
    """A form template as an attachment, with its own name and the content type of its extension."""
    if not _CODE.match(code):
        raise Http404
    template = get_object_or_404(
        FormTemplate.objects.select_related("component__procedure"),
        pk=template_id, component__procedure__code=code, component__procedure__is_published=True,
    )
    filename = os.path.basename(template.file.name)
    try:
        handle = template.file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type_for(filename))
    response["X-Content-Type-Options"] = "nosniff"
    return response
