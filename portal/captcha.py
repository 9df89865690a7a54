"""The captcha (Mã xác nhận) of every public form: one field, one widget, one include.

The widget shows the image with a Vietnamese description and, when flite is installed,
a link that speaks the code (for citizens who cannot read the image). The page-level
markup (label, "another code" link, errors) is ``templates/includes/captcha.html``.
"""

from captcha.fields import CaptchaField, CaptchaTextInput
from django.utils.translation import gettext_lazy as _


class CaptchaInput(CaptchaTextInput):
    template_name = "portal/widgets/captcha.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["refresh"] = self.refresh_url()
        return context


def captcha_field(**kwargs):
    """A required captcha with the portal's widget and Vietnamese messages."""
    kwargs.setdefault("label", _("Mã xác nhận"))
    kwargs.setdefault("help_text", _("Nhập các ký tự trong hình, không phân biệt chữ hoa, chữ thường."))
    return CaptchaField(widget=CaptchaInput, error_messages={
        "required": _("Vui lòng nhập mã xác nhận."),
        "incomplete": _("Vui lòng nhập mã xác nhận."),
        "invalid": _("Mã xác nhận không đúng hoặc đã hết hạn. Vui lòng nhập mã mới trong hình."),
    }, **kwargs)
