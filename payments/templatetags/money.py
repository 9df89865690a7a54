"""``{% load money %}{{ amount|dong }}`` -> "50.000" (Vietnamese thousands separator)."""

from django import template

from payments.money import format_dong

register = template.Library()


@register.filter
def dong(amount):
    try:
        return format_dong(amount)
    except (TypeError, ValueError):
        return amount
