"""Read-only queries of the public catalogue."""

from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.functions import Concat, Lower
from django.urls import reverse

from .models import DossierComponent, Fee, FormTemplate, Procedure
from .text import search_key

# What a list of procedures shows of each (the catalogue's rows, the home page's most used):
# read as values, without building three model instances a row, and without the long texts
# (steps, legal basis …), which would be read and sorted for every match otherwise.
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
    """One published procedure with everything its page shows, in four queries.

    The procedure (with its sector and tier) is a model instance; what the page lists of it (fees,
    components with their form templates, active agencies) is read as values: the page only shows
    them, and building and prefetching model instances for them was most of the page's cost.
    Raises ``Procedure.DoesNotExist``.
    """
    procedure = Procedure.objects.published().select_related("sector", "tier").get(code=code)
    # The components with their form templates in one statement: a row per template (one with
    # NULLs for a component without any).
    components = {}
    # One reverse() for all the templates: their addresses differ only by the id at the end.
    before, after = reverse("procedures:template", args=[procedure.code, 0]).rsplit("0", 1)
    for row in (DossierComponent.objects.filter(procedure=procedure).order_by("order", "id", "templates__id")
                .values("id", "name", "originals", "copies", "is_required",
                        "templates__id", "templates__title", "templates__file")):
        component = components.setdefault(row["id"], {
            "name": row["name"], "originals": row["originals"], "copies": row["copies"],
            "is_required": row["is_required"], "templates": []})
        if row["templates__id"] is not None:
            component["templates"].append({
                "title": row["templates__title"], "url": f"{before}{row['templates__id']}{after}",
                "extension": FormTemplate.extension_of(row["templates__file"])})
    procedure.page_fees = list(Fee.objects.filter(procedure=procedure).values("name", "amount"))
    procedure.page_components = list(components.values())
    procedure.page_agencies = list(procedure.agencies.filter(is_active=True).values(
        "name", "identifier_code", "address", "phone", "email", "opening_hours"))
    return procedure
