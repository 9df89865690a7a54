"""Read-only queries of the public catalogue."""

from django.db.models import Case, IntegerField, Prefetch, Q, Value, When
from django.db.models.functions import Concat, Lower

from .models import Agency, DossierComponent, Fee, FormTemplate, Procedure
from .text import search_key

# What a list of procedures shows of each (the catalogue's rows, the home page's most used):
# read as values, without building three model instances a row.
LIST_ROW = ("code", "name", "service_level", "sector__name", "tier__name")

# The search's ranks: the procedure whose code is the query, then names starting with the query, then the rest.
EXACT_CODE, NAME_STARTS, OTHER = 0, 1, 2


def search_procedures(*, query="", tier=None, agency=None, sector=None, level=None):
    """Published procedures matching every filter given, ranked when there is a query.

    The query ignores diacritics and case: each of its words must occur in ``search_text``
    (``LIKE '%word%'``, served on PostgreSQL by the trigram index of migration 0002). The
    ranks are ``EXACT_CODE``, ``NAME_STARTS`` and ``OTHER``, by name within each.
    """
    procedures = Procedure.objects.published().select_related("sector", "tier")
    key = search_key(query)
    for word in key.split()[:10]:
        procedures = procedures.filter(search_text__contains=word)
    if key:
        # search_text is "<code> <name>" in search_key form: a name starts with the query when
        # search_text starts with the code, a space and the query.
        procedures = procedures.annotate(search_rank=Case(
            When(Q(code__iexact=query.strip()), then=Value(EXACT_CODE)),
            When(Q(search_text__startswith=Concat(Lower("code"), Value(f" {key}"))), then=Value(NAME_STARTS)),
            default=Value(OTHER), output_field=IntegerField(),
        ))
    if tier is not None:
        procedures = procedures.filter(tier=tier)
    if agency is not None:
        procedures = procedures.filter(agencies=agency)
    if sector is not None:
        procedures = procedures.filter(sector=sector)
    if level is not None:
        procedures = procedures.filter(service_level=level)
    return procedures.order_by(*(["search_rank"] if key else []), "name", "code")


def procedure_for_detail(code):
    """One published procedure with everything its page shows, in a fixed number of queries."""
    return (
        Procedure.objects.published()
        .select_related("sector", "tier")
        .prefetch_related(
            Prefetch("fees", queryset=Fee.objects.only("procedure_id", "name", "amount")),
            Prefetch("components", queryset=DossierComponent.objects.only(
                "procedure_id", "name", "originals", "copies", "is_required").prefetch_related(
                Prefetch("templates", queryset=FormTemplate.objects.only("component_id", "title", "file").order_by("id")))),
            # Only the columns the page shows: reading and building whole rows was most of the page's cost.
            Prefetch("agencies", queryset=Agency.objects.filter(is_active=True).only(
                "name", "identifier_code", "address", "phone", "email", "opening_hours")),
        )
        .get(code=code)
    )
