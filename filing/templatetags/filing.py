"""Template filters of the filing wizard's pages."""

from django import template

register = template.Library()


@register.filter
def dong(amount):
    """An amount in đồng written the Vietnamese way: 1000000 → "1.000.000"."""
    try:
        return f"{int(amount):,}".replace(",", ".")
    except (TypeError, ValueError):
        return amount
