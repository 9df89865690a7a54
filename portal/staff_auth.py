"""Two-factor sign-in for the back office (django-otp): a password, then a one-time code.

The code is the 6 digits of the clerk's authenticator app (TOTP, RFC 6238) or one of their
single-use recovery codes. Required when ``STAFF_TWO_FACTOR_REQUIRED`` (the default outside
``PORTAL_LOCAL``): then the admin answers only to a session verified with a code.

An administrator enrols a clerk, or resets a lost phone, with
``manage.py enrol_two_factor <username> [--reset]`` (or in the admin, "TOTP devices").
"""

from django import forms
from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp import match_token, user_has_device


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
    }

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is None or not two_factor_required():
            return cleaned
        token = "".join((cleaned.get("otp_token") or "").split())
        if not user_has_device(user):
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


class PortalAdminSite(AdminSite):
    """The back office: Django's admin with the two-factor sign-in."""

    login_form = StaffSignInForm
    login_template = "admin/staff_login.html"

    def login(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "two_factor_required": two_factor_required()}
        return super().login(request, extra_context)

    def has_permission(self, request):
        if not super().has_permission(request):
            return False
        return not two_factor_required() or request.user.is_verified()
