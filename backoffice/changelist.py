"""What keeps the dossier list fast at a million dossiers: the search, the paginator, the filters.

Every operation of the list is one indexed query plus a constant number of small ones
(the filters' choices, the calendar), whatever the table holds:

- the search reads the term once and asks only the columns it can be (``search_condition``):
  a dossier code exactly or by prefix (the unique index and a ``varchar_pattern_ops`` one),
  an ID number or a phone exactly (their indexes), a name without diacritics in
  ``Dossier.applicant_search_name`` (a trigram index on PostgreSQL);
- the paginator counts at most ``COUNT_CAP`` rows (``CappedPaginator``), never the table;
- the related filters list their choices from the small catalogue tables, not with a
  ``SELECT DISTINCT`` over the dossiers (``CatalogueChoicesFilter``).

The indexes are in ``dossiers/migrations/*_backoffice_list_indexes.py``.
"""

import re

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.utils.functional import cached_property

from dossiers import roles
from dossiers.declaration import normalise_phone
from procedures.models import Agency, Procedure, Sector
from procedures.text import search_key

# The paginator never counts further than this: "more than 2,000" is all a clerk needs to know.
COUNT_CAP = 2000
# A name shorter than this matches too many dossiers to be a search (and no trigram serves it).
MIN_NAME_LENGTH = 3
MAX_TERM_LENGTH = 100

# A dossier code or its beginning: "000.00.12.H26-261201-0001", "000.00.12.H26-2612".
_CODE_LIKE = re.compile(r"^[0-9A-Z]+[.\-][0-9A-Z.\-]*$")
_DIGITS_ONLY = re.compile(r"^[0-9 .+\-()]+$")


class CappedPaginator(Paginator):
    """A paginator that counts at most ``COUNT_CAP + 1`` rows (``SELECT COUNT(*) FROM (… LIMIT n)``).

    ``capped`` tells the template to say "more than …" instead of a number.
    """

    @cached_property
    def count(self):
        return self.object_list.order_by()[: COUNT_CAP + 1].count()

    @property
    def capped(self):
        return self.count > COUNT_CAP


def search_condition(term):
    """The ``Q`` a search term means, or ``None`` when it means nothing searchable.

    Returns ``(q, hint)``; ``hint`` is set when the term was too short to search by name.
    """
    term = " ".join((term or "").split())[:MAX_TERM_LENGTH]
    if not term:
        return None, None
    upper = term.upper()
    conditions = []
    if _CODE_LIKE.match(upper) and any(ch.isdigit() for ch in upper):
        conditions.append(Q(code=upper) | Q(code__startswith=upper))
    if _DIGITS_ONLY.match(term):
        digits = re.sub(r"\D", "", term)
        if len(digits) in (9, 12):
            conditions.append(Q(applicant_id_number=digits))
        try:
            phone = normalise_phone(term, mobile_only=False)
        except ValidationError:
            phone = None
        if phone:
            conditions.append(Q(applicant_phone=phone))
    key = search_key(term)
    hint = None
    if not conditions:  # a name: only when the term is not a code or a number
        if len(key) >= MIN_NAME_LENGTH:
            conditions.append(Q(applicant_search_name__contains=key))
        else:
            hint = "short"
    if not conditions:
        return Q(pk__in=[]), hint
    combined = conditions[0]
    for condition in conditions[1:]:
        combined |= condition
    return combined, hint


class CatalogueChoicesFilter(admin.RelatedFieldListFilter):
    """A related filter whose choices come from the catalogue, scoped to the user's agencies.

    Django's ``RelatedOnlyFieldListFilter`` finds its choices with a ``SELECT DISTINCT``
    over every visible dossier on every page; the catalogue already knows which agencies,
    sectors and procedures a clerk deals with. A filter with more than ``MAX_CHOICES``
    choices is not shown (the procedure filter of a superuser, until an agency or a
    sector narrows it).
    """

    MAX_CHOICES = 150

    def choice_queryset(self, model, request):
        """The catalogue rows this filter may offer ``request.user``, before the cap."""
        user = request.user
        agencies = None if roles.sees_all_agencies(user) else Agency.objects.filter(staff=user)
        if model is Agency:
            return Agency.objects.all() if agencies is None else agencies
        if model is Sector:
            queryset = Sector.objects.all()
            if agencies is not None:
                queryset = queryset.filter(procedures__agencies__in=agencies).distinct()
            return queryset
        if model is Procedure:
            queryset = Procedure.objects.all()
            if agencies is not None:
                queryset = queryset.filter(agencies__in=agencies)
            agency_id = request.GET.get("agency__id__exact", "")
            sector_id = request.GET.get("procedure__sector__id__exact", "")
            if agency_id.isdigit():
                queryset = queryset.filter(agencies__id=int(agency_id))
            if sector_id.isdigit():
                queryset = queryset.filter(sector_id=int(sector_id))
            return queryset.distinct()
        return None  # pragma: no cover - only used for the three above

    def field_choices(self, field, request, model_admin):
        queryset = self.choice_queryset(field.related_model, request)
        if queryset is None:  # pragma: no cover
            return super().field_choices(field, request, model_admin)
        choices = list(queryset.order_by("name").values_list("pk", "name")[: self.MAX_CHOICES + 1])
        return [] if len(choices) > self.MAX_CHOICES else choices


class ProcedureChoicesFilter(CatalogueChoicesFilter):
    """The procedure filter: the list of procedures, or, above ``MAX_CHOICES`` of them, a search.

    A superuser (or anyone who sees every agency) has the whole catalogue, thousands of
    procedures: no list to scroll. The filter then shows a box for a procedure's code or
    words of its name (``thu_tuc``) and lists the first ``MAX_MATCHES`` matches as the
    filter's choices; choosing one filters the dossiers by it, as the list would. Works
    without JavaScript; the query is on the catalogue table only.
    """

    template = "admin/dossiers/procedure_filter.html"
    search_parameter = "thu_tuc"
    MAX_MATCHES = 20

    def expected_parameters(self):
        return [*super().expected_parameters(), self.search_parameter]

    def field_choices(self, field, request, model_admin):
        queryset = self.choice_queryset(Procedure, request)
        choices = list(queryset.order_by("name").values_list("pk", "name")[: self.MAX_CHOICES + 1])
        self.needs_search = len(choices) > self.MAX_CHOICES
        self.search_term = " ".join(request.GET.get(self.search_parameter, "").split())[:MAX_TERM_LENGTH]
        selected = request.GET.get(self.lookup_kwarg, "")
        self.selected_procedure = (Procedure.objects.filter(pk=int(selected)).values_list("code", "name").first()
                                   if selected.isdigit() else None)
        if not self.needs_search:
            return choices
        if not self.search_term:
            return []
        matches = queryset.filter(Q(code__istartswith=self.search_term) | Q(name__icontains=self.search_term))
        return [(pk, f"{code} – {name}")
                for pk, code, name in matches.order_by("code").values_list("pk", "code", "name")[: self.MAX_MATCHES]]

    def has_output(self):
        return self.needs_search or super().has_output()

    def queryset(self, request, queryset):
        # The search term chooses among procedures; it is not a condition on the dossiers.
        self.used_parameters.pop(self.search_parameter, None)
        return super().queryset(request, queryset)

    def choices(self, changelist):
        self.other_params = [(key, value) for key, values in changelist.filter_params.items()
                             if key != self.search_parameter for value in values]
        self.reset_url = changelist.get_query_string(remove=[self.search_parameter, self.lookup_kwarg])
        yield from super().choices(changelist)
