"""Site-wide pages: the home page and the answer to a client that exceeded a rate limit."""

from django.db.models import Count, Q
from django.shortcuts import render
from django.utils.translation import gettext as _

from procedures.levels import EXPLANATIONS
from procedures.models import JurisdictionTier, Procedure


def home(request):
    tiers = JurisdictionTier.objects.annotate(
        procedure_count=Count("procedures", filter=Q(procedures__is_published=True))
    )
    popular = (Procedure.objects.published().select_related("sector", "tier")
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
