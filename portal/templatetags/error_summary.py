"""The error summary's line for a field: "label: message", never "pledge sentence.: message"."""

from django import template

register = template.Library()


@register.filter
def summary_label(label):
    """The field's label without the full stop or colon it may end with (a pledge, a question)."""
    return str(label or "").rstrip().rstrip(".:?").rstrip()
