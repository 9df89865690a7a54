"""Read-only queries of the public catalogue."""

from django.db.models import Prefetch

from .models import Agency, DossierComponent, FormTemplate, Procedure
from .text import search_key


def search_procedures(*, query="", tier=None, agency=None, sector=None, level=None):
    """Published procedures matching every filter given; the query ignores diacritics and case."""
    procedures = Procedure.objects.published().select_related("sector", "tier")
    for word in search_key(query).split()[:10]:
        procedures = procedures.filter(search_text__contains=word)
    if tier is not None:
        procedures = procedures.filter(tier=tier)
    if agency is not None:
        procedures = procedures.filter(agencies=agency)
    if sector is not None:
        procedures = procedures.filter(sector=sector)
    if level is not None:
        procedures = procedures.filter(service_level=level)
    return procedures.order_by("name", "code")


def procedure_for_detail(code):
    """One published procedure with everything its page shows, in a fixed number of queries."""
    return (
        Procedure.objects.published()
        .select_related("sector", "tier")
        .prefetch_related(
            "fees",
            Prefetch("components", queryset=DossierComponent.objects.prefetch_related(
                Prefetch("templates", queryset=FormTemplate.objects.order_by("id")))),
            Prefetch("agencies", queryset=Agency.objects.filter(is_active=True)),  # the page shows no parent
        )
        .get(code=code)
    )
