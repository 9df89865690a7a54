"""One form field of a public page with its label, required mark, help and errors: ``{% form_field form.x %}``;
the captcha likewise, with its "another code" link: ``{% form_captcha form.captcha refresh_url %}``.

Written in Python rather than as an included template: an include of a dozen tags and variables
cost about 500 Python calls a field, as much as the rest of a small form's page, and the
catalogue's filters, the lookup and every step of the wizard show several fields. The markup
(classes, ids, ``aria-hidden`` mark) is what the page styles and the browser tests expect:

    <div class="field[ field-error]">
      <label for="id">Label <span class="required" aria-hidden="true">*</span></label>
      <widget>
      <p class="help" id="id_helptext">Help</p>
      <p class="error-text" id="id_error">Error</p>
    </div>

A checkbox sits inside its label (``<label class="checkbox">``), before the text. The widget is
the bound field's own rendering (``BoundField.__str__``), so its ``aria-describedby``, value and
attributes are Django's.
"""

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()

_REQUIRED = ' <span class="required" aria-hidden="true">*</span>'


@register.simple_tag
def form_field(bound_field):
    errors = bound_field.errors
    label_for = conditional_escape(bound_field.id_for_label)
    label = conditional_escape(bound_field.label)
    required = _REQUIRED if bound_field.field.required else ""
    if bound_field.widget_type == "checkbox":
        body = f'<label class="checkbox" for="{label_for}">{bound_field} {label}{required}</label>'
    else:
        body = f'<label for="{label_for}">{label}{required}</label>\n    {bound_field}'
    help_html, errors_html = _help_and_errors(bound_field, errors)
    return mark_safe(f'<div class="field{" field-error" if errors else ""}">\n  {body}\n  {help_html}\n'
                     f"  {errors_html}\n</div>")


def _help_and_errors(bound_field, errors):
    """The field's help paragraph and its error paragraphs, with the ids its widget's aria-describedby names."""
    auto_id = conditional_escape(bound_field.auto_id)
    help_text = bound_field.help_text
    help_html = f'<p class="help" id="{auto_id}_helptext">{conditional_escape(help_text)}</p>' if help_text else ""
    errors_html = "".join(f'<p class="error-text" id="{auto_id}_error">{conditional_escape(error)}</p>'
                          for error in errors)
    return help_html, errors_html


@register.simple_tag(takes_context=True)
def form_captcha(context, bound_field, refresh_url=""):
    """The captcha (``portal.captcha.captcha_field()``) with its label, "another code" link, help and errors.

    ``refresh_url``: where the no-JavaScript "another code" link goes (the current page by default);
    the script (static/js/portal.js) asks ``data-refresh`` for a new image instead.
    """
    errors = bound_field.errors
    refresh = conditional_escape(refresh_url or context["request"].path)
    help_html, errors_html = _help_and_errors(bound_field, errors)
    return mark_safe(
        f'<div class="field captcha-field{" field-error" if errors else ""}" data-captcha>\n'
        f'  <label for="{conditional_escape(bound_field.id_for_label)}">{conditional_escape(bound_field.label)}'
        f"{_REQUIRED}</label>\n"
        f'  <div class="captcha-row">{bound_field}</div>\n'
        f'  <p class="help"><a href="{refresh}" class="captcha-refresh" '
        f'data-refresh="{conditional_escape(reverse("captcha-refresh"))}">'
        f"{conditional_escape(gettext('Lấy mã khác'))}</a></p>\n"
        f"  {help_html}\n  {errors_html}\n</div>")
