"""Public pages after filing: the lookup (tra cứu), the supplement page, the result download, the rating.

Thin views: parse, call ``tracking.lookup`` / ``tracking.supplements`` / ``tracking.ratings``,
render. The pages reached through a secret link answer anything wrong with the link by
a friendly page (404 for a link that is not one, 410 for one that was good and is no
longer), never with data.

Why a sweep of dossier codes is impractical: every lookup needs a freshly solved
captcha (django-simple-captcha deletes the challenge on the first attempt, right or
wrong), and each client address gets ``settings.LOOKUP_RATE`` lookups (20 a minute by
default) counted in the shared cache (Redis in production), so all workers and servers
share the count. A code has a 4-digit daily sequence per agency; even one agency's one
day is 10,000 codes, i.e. 10,000 solved captchas and more than 8 hours from one address.
And a hit shows only what the slip already shows, with the name masked.
"""

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from dossiers import links
from dossiers.models import DossierFileKind
from dossiers.storage import STORAGE_UNAVAILABLE, StorageUnavailable
from dossiers.workflow import DossierStatus
from portal.security import client_ip

from .forms import LookupForm, RatingForm, SupplementForm
from .lookup import SecondFactorGuard, find_dossier, has_online_result, phone_digits_match, public_view
from .ratings import AlreadyRated, RatingNotAllowed, rate_dossier
from .supplements import SupplementLinkError, open_supplement_request, submit_supplement


def public_rate(group, request):
    """The rate of the public POST forms; read on each request so tests can change the setting."""
    return settings.LOOKUP_RATE


@never_cache
@ratelimit(group="dossiers.lookup", key="ip", rate=public_rate, method="POST", block=True)
def lookup(request):
    """Look a dossier up by its code (``?ma=`` prefills it); the captcha is always asked.

    A found and an unknown code give the same page shape, the same status (200) and
    about the same work (one indexed query, then rendering).
    """
    result = None
    searched_code = ""
    typed = ""
    second_factor_error = ""
    if request.method == "POST":
        form = LookupForm(request.POST)
        typed = (request.POST.get("code") or "").strip()
        if form.is_valid():
            searched_code = form.cleaned_data["code"]
            dossier = find_dossier(searched_code)
            verified = False
            digits = form.cleaned_data["phone_last4"]
            if digits:
                verified, second_factor_error = _check_second_factor(request, searched_code, dossier, digits)
            result = public_view(dossier, verified=verified) if dossier is not None else None
            # A fresh form (and captcha) for the next lookup, keeping what was typed (not the digits).
            form = LookupForm(initial={"code": typed})
    else:
        typed = (request.GET.get("ma") or "").strip()[:200]
        form = LookupForm(initial={"code": typed})
    return _lookup_page(request, form=form, searched_code=searched_code, result=result, typed=typed,
                        second_factor_error=second_factor_error)


@require_POST
@ratelimit(group="dossiers.lookup", key="ip", rate=public_rate, method="POST", block=True)
def bench_lookup_floor(request):
    """``lookup``'s POST without its page, for the benchmarks only (routed when PORTAL_BENCH=1).

    The same CSRF check (middleware), rate limit, form, captcha check and statement, answered
    with the code found: what a lookup costs before any rendering, timed beside the page and the
    bare view (bench/README.md). Keep its checks those of ``lookup``.
    """
    form = LookupForm(request.POST)
    if not form.is_valid():
        return HttpResponse(b"invalid", status=400, content_type="text/plain")
    dossier = find_dossier(form.cleaned_data["code"])
    return HttpResponse(f"found {dossier.code}" if dossier else "not found", content_type="text/plain")


def _check_second_factor(request, code, dossier, digits):
    """(verified, error message) for the four digits typed; a wrong answer is counted."""
    guard = SecondFactorGuard(address=client_ip(request), code=code)
    if guard.blocked():
        return False, _("Bạn đã nhập sai 4 số cuối số điện thoại quá nhiều lần. Vui lòng thử lại sau, hoặc "
                        "mở đường dẫn trong tin nhắn SMS, thư điện tử đã gửi cho người nộp hồ sơ.")
    if dossier is not None and phone_digits_match(dossier, digits):
        return True, ""
    guard.count_failure()
    return False, _("4 số cuối số điện thoại không khớp với hồ sơ, nên tên người nộp và lý do xử lý "
                    "không được hiển thị.")


def _lookup_page(request, *, form, searched_code, result, typed="", second_factor_error="", status_link=False):
    rating_link = ""
    if result is not None and result.can_rate:
        rating_link = reverse("tracking:rating", args=[links.make_token(links.RATING, result._dossier.pk)])
    return render(request, "tracking/lookup.html", {
        "form": form,
        "searched": bool(searched_code),
        "searched_code": searched_code,
        "result": result,
        "rating_link": rating_link,
        "second_factor_error": second_factor_error,
        "status_link": status_link,
        "captcha_refresh_url": _refresh_url(reverse("tracking:lookup"), typed),
        "crumbs": [(None, _("Tra cứu hồ sơ"))],
    })


@never_cache
def status_link(request, token):
    """The applicant's own status link (from their SMS or email): the full lookup, without a captcha.

    The signed token is the second factor: it names one dossier and was only ever sent to the
    applicant's phone or email. A link that is not one answers the friendly 404 page.
    """
    dossier = links.dossier_from_token(links.STATUS, token, max_age_days=settings.STATUS_LINK_DAYS)
    if dossier is None:
        return _link_error(request, SupplementLinkError.INVALID, kind="status")
    return _lookup_page(request, form=LookupForm(initial={"code": dossier.code}), searched_code=dossier.code,
                        result=public_view(dossier, verified=True), typed=dossier.code, status_link=True)


def _refresh_url(path, code=""):
    # Without JavaScript, "another captcha" reloads the page, keeping the code typed.
    from urllib.parse import urlencode

    return f"{path}?{urlencode({'ma': code})}" if code else path


LINK_ERROR_STATUS = {
    SupplementLinkError.INVALID: 404,
    SupplementLinkError.EXPIRED: 410,
    SupplementLinkError.USED: 410,
    SupplementLinkError.CLOSED: 410,
    "no_result": 404,
    "not_returned": 409,
}


def _link_error(request, reason, *, kind):
    return render(request, "tracking/link_error.html", {"reason": reason, "kind": kind},
                  status=LINK_ERROR_STATUS.get(reason, 404))


@never_cache
@ratelimit(group="dossiers.supplement", key="ip", rate=public_rate, method="POST", block=True)
def supplement(request, token):
    """The page of a supplement request, opened through the secret link from the SMS or email."""
    try:
        supplement_request = open_supplement_request(token)
    except SupplementLinkError as error:
        return _link_error(request, error.reason, kind="supplement")
    dossier = supplement_request.dossier
    if request.method == "POST":
        form = SupplementForm(request.POST, request.FILES, supplement_request=supplement_request)
        if form.is_valid():
            try:
                submit_supplement(supplement_request, files=form.cleaned_data["uploads"],
                                  note=form.cleaned_data["note"])
            except SupplementLinkError as error:
                return _link_error(request, error.reason, kind="supplement")
            except StorageUnavailable:
                # Nothing was recorded (rolled back); the note stays on the page, the files are chosen again.
                form.add_error(None, STORAGE_UNAVAILABLE)
            else:
                messages.success(request, _("Đã gửi hồ sơ bổ sung. Hồ sơ %(code)s được chuyển lại bộ phận một cửa "
                                            "để tiếp nhận; bạn sẽ nhận tin nhắn khi hồ sơ được xử lý tiếp.")
                                 % {"code": dossier.code})
                return redirect(dossier.get_lookup_url())
    else:
        form = SupplementForm(supplement_request=supplement_request)
    return render(request, "tracking/supplement.html", {
        "form": form,
        "supplement_request": supplement_request,
        "dossier": dossier,
        "captcha_refresh_url": request.path,
    })


@never_cache
def result_download(request, token):
    """The electronic result, through its secret link: a page listing the files, ``?tep=<id>`` downloads one."""
    dossier = links.dossier_from_token(links.RESULT, token, max_age_days=settings.RESULT_LINK_DAYS)
    if dossier is None:
        return _link_error(request, SupplementLinkError.INVALID, kind="result")
    if not has_online_result(dossier):
        return _link_error(request, "no_result", kind="result")
    files = dossier.files.filter(kind=DossierFileKind.RESULT)
    wanted = request.GET.get("tep")
    if wanted:
        result_file = files.filter(pk=wanted).first() if wanted.isdigit() else None
        if result_file is None:
            return _link_error(request, SupplementLinkError.INVALID, kind="result")
        return FileResponse(result_file.file.open("rb"), as_attachment=True, filename=result_file.original_name,
                            content_type=result_file.content_type or "application/octet-stream")
    return render(request, "tracking/result.html", {"dossier": dossier, "files": files})


@never_cache
@ratelimit(group="dossiers.rating", key="ip", rate=public_rate, method="POST", block=True)
def rating(request, token):
    """Rate the service once, after the result was returned (link in the final message or on the lookup)."""
    dossier = links.dossier_from_token(links.RATING, token, max_age_days=settings.RATING_LINK_DAYS)
    if dossier is None:
        return _link_error(request, SupplementLinkError.INVALID, kind="rating")
    if dossier.status != DossierStatus.RETURNED:
        return _link_error(request, "not_returned", kind="rating")
    if hasattr(dossier, "rating"):
        return _link_error(request, SupplementLinkError.USED, kind="rating")
    if request.method == "POST":
        form = RatingForm(request.POST)
        if form.is_valid():
            try:
                given = rate_dossier(dossier, score=form.cleaned_data["score"],
                                     comment=form.cleaned_data["comment"])
            except AlreadyRated:
                return _link_error(request, SupplementLinkError.USED, kind="rating")
            except RatingNotAllowed:
                return _link_error(request, "not_returned", kind="rating")
            return render(request, "tracking/rating_done.html", {"dossier": dossier, "rating": given})
    else:
        form = RatingForm()
    return render(request, "tracking/rating.html", {"form": form, "dossier": dossier})
