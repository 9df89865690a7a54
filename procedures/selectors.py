"""Read-only queries of the public catalogue."""

from django.db import router
from django.db.models import Count, Q
from django.db.models.expressions import RawSQL
from django.urls import reverse

from .compiled import CompiledQuery
from .models import Agency, DossierComponent, Fee, FormTemplate, JurisdictionTier, Procedure, Sector
from .pagecache import memoized
from .text import search_key

# What a list of procedures shows of each (the catalogue's rows, the home page's most used):
# read as values, without building three model instances a row, and without the long texts
# (steps, legal basis …), which would be read and sorted for every match otherwise. The sector's
# and the tier's names come from ``list_names``, not from joins: PostgreSQL cannot estimate how
# many procedures a search matches, and joined nested loops over thousands of matches cost it
# more than the search itself.
LIST_ROW = ("code", "name", "service_level", "sector_id", "tier_id")


def list_names():
    """({sector id: name}, {tier id: name}) for the rows of ``LIST_ROW``, read once per catalogue version."""
    return memoized(("list names",), lambda: (dict(Sector.objects.values_list("id", "name")),
                                             dict(JurisdictionTier.objects.values_list("id", "name"))))


# The search's ranks: the procedure whose code is the query, then names starting with the query, then the rest.
EXACT_CODE, NAME_STARTS, OTHER = 0, 1, 2
# search_text is "<code> <name>" in search_key form, so a name starts with the query when
# search_text starts with the code, a space and the query: compared as a prefix, with no LIKE
# pattern to escape. Written as SQL (the same in PostgreSQL and SQLite): the ORM's
# Case/When/Concat cost more to compile, on every search, than the rest of the query. Its
# parameters: the query as typed, the length of its search key + 1, " " + its search key.
_TABLE = Procedure._meta.db_table
_RANK = (f"CASE WHEN UPPER({_TABLE}.code) = UPPER(%s) THEN {EXACT_CODE}"
         f" WHEN SUBSTR({_TABLE}.search_text, 1, LENGTH({_TABLE}.code) + %s)"
         f" = LOWER({_TABLE}.code) || %s THEN {NAME_STARTS} ELSE {OTHER} END")


def search_procedures(*, query="", tier=None, agency=None, sector=None, level=None):
    """Published procedures matching every filter given, ranked when there is a query.

    The query ignores diacritics and case: each of its words must occur in ``search_text``
    (``LIKE '%word%'``, served on PostgreSQL by the trigram index of migration 0002). The
    ranks are ``EXACT_CODE``, ``NAME_STARTS`` and ``OTHER``, by name within each.
    """
    words, rank = _words_and_rank(query)
    return _matching(words, rank, *(getattr(choice, "pk", choice) for choice in (tier, agency, sector)), level)


def catalogue_matches(*, query="", tier=None, agency=None, sector=None, level=None):
    """``search_procedures(…)`` as the catalogue's paginator reads it: ``LIST_ROW`` dicts.

    Its count and each page are one statement each, compiled once per shape of the filters (how
    many words, which filters) by ``procedures.compiled``: building and compiling the two
    querysets cost more CPU than the rest of the list's page.
    """
    words, rank = _words_and_rank(query)
    chosen = {"tier": tier, "agency": agency, "sector": sector, "level": level}
    shape = (len(words), bool(rank), *(value is not None for value in chosen.values()))
    statement = _LIST_STATEMENTS.get(shape)
    if statement is None:
        statement = _LIST_STATEMENTS[shape] = _list_statement(len(words), bool(rank), chosen)
    values = [*words, *(rank or ()),
              *(getattr(value, "pk", value) for value in chosen.values() if value is not None)]
    return CatalogueMatches(statement, values, router.db_for_read(Procedure))


class CatalogueMatches:
    """A filtered list for Django's ``Paginator``: ``count()`` and slices of ``LIST_ROW`` dicts."""

    def __init__(self, statement, values, using):
        self._statement, self._values, self._using = statement, values, using

    def count(self):
        return self._statement.count(*self._values, using=self._using)

    def __len__(self):
        return self.count()

    def __getitem__(self, page):
        if not isinstance(page, slice) or page.step is not None:
            raise TypeError("a page of the list is a slice [start:stop]")
        start = page.start or 0
        if page.stop is not None and page.stop <= start:
            return []  # an empty list's only page: nothing to read
        limit = None if page.stop is None else page.stop - start
        rows = self._statement.rows(*self._values, using=self._using, limit=limit, offset=start)
        return [dict(zip(LIST_ROW, row, strict=True)) for row in rows]


def _words_and_rank(query):
    """The query's words (search_key form, at most ten) and the rank's three parameters (None without a query)."""
    key = search_key(query)
    if not key:
        return [], None
    return key.split()[:10], [query.strip(), len(key) + 1, f" {key}"]


def _matching(words, rank, tier_id, agency_id, sector_id, level):
    """The one place the catalogue's filters and order are written (the compiled lists' too)."""
    procedures = Procedure.objects.published().select_related("sector", "tier")
    for word in words:
        procedures = procedures.filter(search_text__contains=word)
    if tier_id is not None:
        procedures = procedures.filter(tier_id=tier_id)
    if agency_id is not None:
        procedures = procedures.filter(agencies=agency_id)
    if sector_id is not None:
        procedures = procedures.filter(sector_id=sector_id)
    if level is not None:
        procedures = procedures.filter(service_level=level)
    # An ordering, not an annotation: the paginator's count leaves it out.
    ranks = [RawSQL(_RANK, rank)] if rank else []
    return procedures.order_by(*ranks, "name", "code")


def most_used(count):
    """The ``count`` most used published procedures (the home page's), as ``LIST_ROW`` dicts."""
    return [dict(zip(LIST_ROW, row, strict=True))
            for row in _MOST_USED.rows(using=router.db_for_read(Procedure), limit=count)]


_MOST_USED = CompiledQuery(lambda: Procedure.objects.published().order_by("-popularity", "name").values_list(*LIST_ROW),
                           placeholders=())


def tiers_with_counts():
    """Every jurisdiction tier in its order, as dicts: ``slug``, ``submit_label``, ``procedure_count`` (published)."""
    return [{"slug": slug, "submit_label": label, "procedure_count": count}
            for slug, label, count in _TIERS_WITH_COUNTS.rows(using=router.db_for_read(JurisdictionTier))]


# Ordered explicitly: Meta.ordering does not apply to aggregate queries.
_TIERS_WITH_COUNTS = CompiledQuery(lambda: JurisdictionTier.objects.annotate(
    procedure_count=Count("procedures", filter=Q(procedures__is_published=True)),
).order_by("order").values_list("slug", "submit_label", "procedure_count"), placeholders=())


# The compiled lists, by shape: (words, ranked, tier?, agency?, sector?, level?); at most 11 × 16.
_LIST_STATEMENTS = {}


def _list_statement(word_count, ranked, chosen):
    # Placeholders: strings that are no part of one another ("<compiled word 1>" is not in
    # "<compiled word 10>"), and numbers no constant of the statement equals, small enough for
    # the service level's small integer (Django drops a filter on a number out of its range).
    words = [f"<compiled word {index}>" for index in range(word_count)]
    rank = ["<compiled query>", 30_001, "<compiled key>"] if ranked else []
    ids = {"tier": 30_002, "agency": 30_003, "sector": 30_004, "level": 30_005}
    chosen_names = [name for name, value in chosen.items() if value is not None]

    def build(*values):
        given = dict(zip(chosen_names, values[len(words) + len(rank):], strict=True))
        return _matching(values[:len(words)], list(values[len(words):len(words) + len(rank)]) or None,
                         given.get("tier"), given.get("agency"), given.get("sector"),
                         given.get("level")).values_list(*LIST_ROW)

    return CompiledQuery(build, placeholders=[*words, *rank, *(ids[name] for name in chosen_names)])


def procedure_for_detail(code):
    """One published procedure with everything its page shows, in four statements compiled once.

    The procedure (with its sector and tier) is a model instance; what the page lists of it (fees,
    components with their form templates, active agencies) is read as values: the page only shows
    them, and building and prefetching model instances for them was most of the page's cost. Each
    statement takes the code as its one parameter (``procedures.compiled``): building and
    compiling the four querysets on every request cost as much as rendering the page.
    Raises ``Procedure.DoesNotExist``.
    """
    using = router.db_for_read(Procedure)
    rows = _PROCEDURE_ON_PAGE.rows(code, using=using)
    if not rows:
        raise Procedure.DoesNotExist(f"no published procedure {code!r}")
    procedure_end, sector_end = len(_PROCEDURE_COLUMNS), len(_PROCEDURE_COLUMNS) + len(_SECTOR_COLUMNS)
    procedure = Procedure.from_db(using, _PROCEDURE_COLUMNS, rows[0][:procedure_end])
    Procedure.sector.field.set_cached_value(
        procedure, Sector.from_db(using, _SECTOR_COLUMNS, rows[0][procedure_end:sector_end]))
    Procedure.tier.field.set_cached_value(
        procedure, JurisdictionTier.from_db(using, _TIER_COLUMNS, rows[0][sector_end:]))
    # The components with their form templates in one statement: a row per template (one with
    # NULLs for a component without any).
    components = {}
    # One reverse() for all the templates: their addresses differ only by the id at the end.
    before, after = reverse("procedures:template", args=[procedure.code, 0]).rsplit("0", 1)
    for (component_id, name, originals, copies, is_required, template_id, title,
         file) in _COMPONENTS_ON_PAGE.rows(code, using=using):
        component = components.setdefault(component_id, {
            "name": name, "originals": originals, "copies": copies, "is_required": is_required, "templates": []})
        if template_id is not None:
            component["templates"].append({
                "title": title, "url": f"{before}{template_id}{after}", "extension": FormTemplate.extension_of(file)})
    procedure.page_fees = [{"name": name, "amount": amount} for name, amount in _FEES_ON_PAGE.rows(code, using=using)]
    procedure.page_components = list(components.values())
    procedure.page_agencies = [dict(zip(_AGENCY_ON_PAGE, row, strict=True))
                               for row in _AGENCIES_ON_PAGE.rows(code, using=using)]
    return procedure


# --- The procedure page's statements -------------------------------------------------------------
# Every column of the procedure, its sector and its tier, in the models' field order (Model.from_db).
_PROCEDURE_COLUMNS = [field.attname for field in Procedure._meta.concrete_fields]
_SECTOR_COLUMNS = [field.attname for field in Sector._meta.concrete_fields]
_TIER_COLUMNS = [field.attname for field in JurisdictionTier._meta.concrete_fields]
_AGENCY_ON_PAGE = ("name", "identifier_code", "address", "phone", "email", "opening_hours")

_PROCEDURE_ON_PAGE = CompiledQuery(lambda code: Procedure.objects.published().filter(code=code).values_list(
    *_PROCEDURE_COLUMNS, *(f"sector__{name}" for name in _SECTOR_COLUMNS), *(f"tier__{name}" for name in _TIER_COLUMNS)))
_COMPONENTS_ON_PAGE = CompiledQuery(lambda code: (
    DossierComponent.objects.filter(procedure__code=code).order_by("order", "id", "templates__id")
    .values_list("id", "name", "originals", "copies", "is_required", "templates__id", "templates__title",
                 "templates__file")))
_FEES_ON_PAGE = CompiledQuery(lambda code: Fee.objects.filter(procedure__code=code).values_list("name", "amount"))
_AGENCIES_ON_PAGE = CompiledQuery(lambda code: (
    Agency.objects.filter(procedures__code=code, is_active=True).values_list(*_AGENCY_ON_PAGE)))
