"""Two-factor sign-in for the back office (django-otp): a password, then a one-time code.

The code is the 6 digits of the clerk's authenticator app (TOTP, RFC 6238) or one of their
single-use recovery codes. Required when ``STAFF_TWO_FACTOR_REQUIRED`` (the default outside
``PORTAL_LOCAL``): then the admin answers only to a session verified with a code.

A staff member without a device enrols their own (``STAFF_TWO_FACTOR_SELF_ENROL``, on): after
the right password the sign-in goes to ``enrol_view`` instead of the back office, which shows a
new, unconfirmed TOTP device's QR code and secret; the device counts only once the clerk types a
code their app computed, and then the ten recovery codes are shown, once, and the session is
signed in and verified. Nothing of the back office opens before that. The pieces are django-otp's
own: ``TOTPDevice`` (``confirmed=False`` until then, its throttle against guessing),
``StaticDevice`` and ``StaticToken.random_token`` for the recovery codes, ``django_otp.qr``.

An administrator resets a lost phone with ``manage.py enrol_two_factor <username> --clear`` (the
clerk enrols again at the next sign-in) or ``--reset`` (a new device printed for the administrator
to hand over), or in the admin ("TOTP devices", "Static devices"). With self-enrolment off, an
administrator enrols each clerk with ``manage.py enrol_two_factor <username>``.
"""

import base64
import functools
import io
import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model, login
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.middleware import is_verified as otp_is_verified
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.qr import write_qrcode_image

RECOVERY_CODES = 10
# A password checked for enrolment is good for this long; then the clerk signs in again.
ENROLMENT_SECONDS = 10 * 60
ENROLMENT_SESSION_KEY = "_staff_two_factor_enrolment"
TOTP_DEVICE_NAME = "Ứng dụng xác thực"
RECOVERY_DEVICE_NAME = "Mã khôi phục"


def two_factor_required():
    """Read on each request, so a test (or an operator's setting) applies at once."""
    return settings.STAFF_TWO_FACTOR_REQUIRED


class StaffSignInForm(AdminAuthenticationForm):
    """The admin's username and password, and the one-time code when two factors are required."""

    otp_token = forms.CharField(
        label=_("Mã xác thực"), required=False, max_length=20, strip=True,
        help_text=_("6 chữ số trong ứng dụng xác thực trên điện thoại, hoặc một mã khôi phục."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "spellcheck": "false"}),
    )

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "otp_missing": _("Vui lòng nhập mã xác thực."),
        "otp_invalid": _("Mã xác thực không đúng hoặc đã dùng. Vui lòng nhập mã mới trong ứng dụng."),
        "otp_not_enrolled": _("Tài khoản chưa được cài đặt xác thực hai lớp. Vui lòng liên hệ quản trị viên."),
        "otp_enrol": _("Tài khoản chưa được cài đặt xác thực hai lớp: vui lòng cài đặt ứng dụng xác thực."),
    }

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is None or not two_factor_required():
            return cleaned
        token = "".join((cleaned.get("otp_token") or "").split())
        if not user_has_device(user):
            if settings.STAFF_TWO_FACTOR_SELF_ENROL:
                # The password was right: PortalAdminSite.login sends this request to the enrolment
                # instead of signing it in (the form stays invalid, so nothing is signed in here).
                self.request._staff_enrolment_user = user
                raise forms.ValidationError(self.error_messages["otp_enrol"], code="otp_enrol")
            raise forms.ValidationError(self.error_messages["otp_not_enrolled"], code="otp_not_enrolled")
        if not token:
            raise forms.ValidationError(self.error_messages["otp_missing"], code="otp_missing")
        device = match_token(user, token)
        if device is None:
            raise forms.ValidationError(self.error_messages["otp_invalid"], code="otp_invalid")
        # Picked up by the user_logged_in receiver below, once Django has rotated the session.
        user._verified_otp_device = device
        return cleaned


@receiver(user_logged_in, dispatch_uid="portal.staff_auth.mark_verified")
def _mark_session_verified(sender, request, user, **kwargs):
    device = getattr(user, "_verified_otp_device", None)
    if device is not None and request is not None:
        otp_login(request, device)


# --- Enrolment by the staff member ------------------------------------------------------------------

def begin_enrolment(request, user, next_url=""):
    """Remember in a fresh session key that ``user`` gave the right password (for ``ENROLMENT_SECONDS``)."""
    request.session.cycle_key()
    request.session[ENROLMENT_SESSION_KEY] = {"user": user.pk, "since": int(time.time()), "next": next_url,
                                              "device": None}


def _pending_enrolment(request):
    """(user, state) of the enrolment this session started, or (None, None) if none, expired or done."""
    state = request.session.get(ENROLMENT_SESSION_KEY)
    if not state or time.time() - state["since"] > ENROLMENT_SECONDS:
        return None, None
    user = get_user_model().objects.filter(pk=state["user"], is_active=True, is_staff=True).first()
    if user is None or user_has_device(user):
        return None, None  # gone, or enrolled meanwhile (another tab, an administrator)
    return user, state


def _unconfirmed_device(request, user, state):
    """The session's new TOTP device, created once; earlier unfinished ones of ``user`` are dropped."""
    device = TOTPDevice.objects.filter(pk=state["device"], user=user, confirmed=False).first() if state["device"] else None
    if device is None:
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
        state["device"] = device.pk
        request.session[ENROLMENT_SESSION_KEY] = state
    return device


def _qr_data_uri(text):
    # An <img> with a data: URI (the policy's img-src allows it): no markup of the SVG in the page.
    out = io.BytesIO()
    write_qrcode_image(text, out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def _grouped_secret(device):
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


class EnrolmentForm(forms.Form):
    otp_token = forms.CharField(
        label=_("Mã xác thực trong ứng dụng"), max_length=20, strip=True,
        help_text=_("6 chữ số ứng dụng xác thực hiển thị sau khi quét mã QR."),
        error_messages={"required": _("Vui lòng nhập mã xác thực.")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
    )

    def __init__(self, *args, device, **kwargs):
        super().__init__(*args, **kwargs)
        self.device = device

    def clean_otp_token(self):
        token = "".join(self.cleaned_data["otp_token"].split())
        if not (token.isdigit() and len(token) == self.device.digits) or not self.device.verify_token(token):
            # verify_token throttles the device after each failure: guessing gets slower and slower.
            raise forms.ValidationError(_("Mã xác thực không đúng. Vui lòng nhập mã mới đang hiển thị trong "
                                          "ứng dụng (mã đổi sau mỗi 30 giây)."), code="otp_invalid")
        return token


@transaction.atomic
def confirm_enrolment(user, device):
    """Confirm ``device`` as ``user``'s only TOTP device and give them new recovery codes (returned,
    never stored in clear anywhere else); any older device or code of theirs stops working."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    StaticDevice.objects.filter(user=user).delete()
    recovery = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=recovery, token=code) for code in codes])
    return codes


def enrol_view(site, request):
    """The staff member's own enrolment: scan the QR code (or type the secret), confirm with a code,
    read the recovery codes once, and the session is signed in and verified."""
    user, state = _pending_enrolment(request)
    if user is None:
        request.session.pop(ENROLMENT_SESSION_KEY, None)
        messages.error(request, _("Phiên cài đặt xác thực hai lớp đã hết hạn hoặc không còn hiệu lực. "
                                  "Vui lòng đăng nhập lại."))
        return redirect(reverse("admin:login", current_app=site.name))
    device = _unconfirmed_device(request, user, state)
    form = EnrolmentForm(request.POST if request.method == "POST" else None, device=device)
    context = {**site.each_context(request), "title": _("Cài đặt xác thực hai lớp"), "staff_user": user}
    if request.method == "POST" and form.is_valid():
        codes = confirm_enrolment(user, device)
        request.session.pop(ENROLMENT_SESSION_KEY, None)
        # Picked up by _mark_session_verified once Django has rotated the session; the user object
        # becomes request.user, so it gets the accessors django-otp's middleware gives every request's user.
        user._verified_otp_device = device
        user.otp_device = None
        user.is_verified = functools.partial(otp_is_verified, user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        next_url = state.get("next") or ""
        if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()},
                                               require_https=request.is_secure()):
            next_url = reverse("admin:index", current_app=site.name)
        context.update(site.each_context(request), title=_("Mã khôi phục"), codes=codes, next_url=next_url)
        return TemplateResponse(request, "admin/staff_two_factor_codes.html", context)
    context.update(form=form, qr_data_uri=_qr_data_uri(device.config_url), secret=_grouped_secret(device),
                   issuer=settings.OTP_TOTP_ISSUER)
    return TemplateResponse(request, "admin/staff_two_factor_enrol.html", context)


class PortalAdminSite(AdminSite):
    """The back office: Django's admin with the two-factor sign-in and the staff's own enrolment."""

    login_form = StaffSignInForm
    login_template = "admin/staff_login.html"

    def login(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "two_factor_required": two_factor_required()}
        response = super().login(request, extra_context)
        user = getattr(request, "_staff_enrolment_user", None)
        if user is not None and request.method == "POST":
            begin_enrolment(request, user, next_url=request.POST.get(REDIRECT_FIELD_NAME, ""))
            return redirect(reverse("admin:staff_two_factor_enrol", current_app=self.name))
        return response

    def get_urls(self):
        view = never_cache(csrf_protect(sensitive_post_parameters("otp_token")(
            lambda request: enrol_view(self, request))))
        return [path("xac-thuc-hai-lop/cai-dat/", view, name="staff_two_factor_enrol"), *super().get_urls()]

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        return not two_factor_required() or request.user.is_verified()
