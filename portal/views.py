"""Site-wide pages: the home page, the language switch and the answer to a client that exceeded a rate limit."""

from django.conf import settings
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from procedures.levels import EXPLANATIONS
from procedures.pagecache import cache_public_page
from procedures.selectors import most_used, tiers_with_counts


@cache_public_page
def home(request):
    """The home page: one entry per jurisdiction tier (from the data), search, lookup, popular procedures."""
    return render(request, "portal/home.html", {
        "tiers": tiers_with_counts(),
        "popular": most_used(8),
        "level_explanations": EXPLANATIONS.values(),
    })


@require_GET
@never_cache
def choose_language(request):
    """The layout's language switcher: a plain link-like GET, so a page needs no CSRF token to offer it.

    Sets the language cookie (as Django's ``set_language``, which still answers POSTs) and goes
    back to ``next`` when it is a page of this site, else to the home page: never elsewhere.
    """
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        target = "/"
    response = HttpResponseRedirect(target)
    language = request.GET.get("language")
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


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
