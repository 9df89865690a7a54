"""Sign-in with VNeID (OpenID Connect), sign-out, and "Hồ sơ của tôi". Thin: ``oidc`` does the protocol."""

import logging

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from dossiers import links
from dossiers.workflow import DossierStatus

from . import identity, oidc
from .selectors import dossiers_of

logger = logging.getLogger(__name__)
SESSION_NEXT = "accounts_next"
MY_DOSSIERS_SHOWN = 200


def _failed(request, message, status=400):
    return render(request, "accounts/sign_in_failed.html", {"message": message}, status=status)


def _safe_next(request, value):
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return value
    return ""


@require_GET
@never_cache
def sign_in(request):
    """Send the browser to VNeID; ``?next=`` (a page of this site) is where it comes back to."""
    if not oidc.is_configured():
        return _failed(request, _("Đăng nhập bằng VNeID chưa được cấu hình trên cổng này. Bạn vẫn có thể "
                                  "nộp hồ sơ không cần đăng nhập."), status=404)
    request.session[SESSION_NEXT] = _safe_next(request, request.GET.get("next", ""))
    try:
        return oidc.start_sign_in(request, request.build_absolute_uri(reverse("accounts:callback")))
    except oidc.SignInFailed as error:
        logger.warning("VNeID sign-in could not start: %s", error.reason)
        return _failed(request, _("Không kết nối được với hệ thống định danh điện tử VNeID. Vui lòng thử lại "
                                  "sau ít phút."), status=503)


@require_GET
@never_cache
def callback(request):
    """VNeID sends the browser back here with a code; a verified identity is signed in, anything else refused."""
    if not oidc.is_configured():
        return _failed(request, _("Đăng nhập bằng VNeID chưa được cấu hình trên cổng này."), status=404)
    if request.GET.get("error") == "access_denied":
        return _failed(request, _("Bạn đã hủy đăng nhập bằng VNeID. Bạn vẫn có thể nộp hồ sơ không cần "
                                  "đăng nhập."))
    try:
        citizen, id_token = oidc.finish_sign_in(request)
    except oidc.SignInFailed as error:
        logger.warning("VNeID sign-in refused: %s", error.reason)
        return _failed(request, _("Đăng nhập không thành công: phản hồi từ VNeID không hợp lệ, đã hết hạn "
                                  "hoặc đã được dùng. Vui lòng đăng nhập lại từ đầu."))
    next_page = request.session.pop(SESSION_NEXT, "")
    identity.remember(request, citizen, id_token)
    messages.success(request, _("Đã đăng nhập bằng VNeID: %(name)s.") % {"name": citizen.full_name or citizen.id_number})
    return HttpResponseRedirect(next_page or reverse("accounts:my_dossiers"))


@require_POST
def sign_out(request):
    """Forget the citizen here, then end the provider's session too when it offers an end-session endpoint."""
    id_token = identity.forget(request)
    messages.success(request, _("Bạn đã đăng xuất."))
    provider_logout = oidc.logout_url(id_token, request.build_absolute_uri(reverse("home"))) \
        if oidc.is_configured() else ""
    return HttpResponseRedirect(provider_logout or reverse("home"))


@require_GET
@never_cache
def my_dossiers(request):
    """Hồ sơ của tôi: the signed-in citizen's (or organisation's) dossiers with what each one needs now."""
    citizen = identity.signed_in_citizen(request)
    if citizen is None:
        return redirect(f"{reverse('accounts:sign_in')}?next={reverse('accounts:my_dossiers')}")
    rows = []
    for dossier in dossiers_of(citizen)[:MY_DOSSIERS_SHOWN]:
        open_supplement = next((item for item in dossier.supplement_requests.all() if item.fulfilled_at is None),
                               None) if dossier.status == DossierStatus.SUPPLEMENT_REQUESTED else None
        rows.append({
            "dossier": dossier,
            "receipt_url": links.receipt_path(dossier),
            "supplement_url": links.supplement_path(open_supplement) if open_supplement else "",
            "payment_url": links.payment_path(dossier) if dossier.status == DossierStatus.AWAITING_PAYMENT
            else "",
        })
    return render(request, "accounts/my_dossiers.html", {"citizen": citizen, "rows": rows})
