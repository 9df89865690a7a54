"""Site-wide pages: the home page and the answer to a client that exceeded a rate limit."""

from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from procedures.levels import EXPLANATIONS
from procedures.models import JurisdictionTier, Procedure
from procedures.views import LIST_FIELDS


def home(request):
    """The home page: one entry per jurisdiction tier (from the data), search, lookup, popular procedures."""
    tiers = JurisdictionTier.objects.annotate(
        procedure_count=Count("procedures", filter=Q(procedures__is_published=True))
    ).order_by("order")  # Meta.ordering does not apply to aggregate queries
    popular = (Procedure.objects.published().select_related("sector", "tier").only(*LIST_FIELDS)
               .order_by("-popularity", "name")[:8])
    return render(request, "portal/home.html", {
        "tiers": tiers,
        "popular": popular,
        "level_explanations": EXPLANATIONS.values(),
    })


def rate_limited(request, exception):
    """django-ratelimit's answer: a normal page with a clear message and status 429."""
    return render(request, "portal/rate_limited.html", {
        "message": _("Bạn đã thao tác quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau ít phút."),
    }, status=429)


def bench_bare(request):
    """The benchmarks' yardstick: the cheapest response Django can give (routed only when PORTAL_BENCH=1)."""
    return HttpResponse(b"ok", content_type="text/plain")


def csrf_failure(request, reason=""):
    """A form posted without a valid CSRF token (an expired session, cookies blocked): explain, never blame."""
    return render(request, "403_csrf.html", status=403)
