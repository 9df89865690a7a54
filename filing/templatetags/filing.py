"""Template filters of the filing wizard's pages."""

from django import template

from dossiers import links

register = template.Library()


@register.filter
def dong(amount):
    """An amount in đồng written the Vietnamese way: 1000000 → "1.000.000"."""
    try:
        return f"{int(amount):,}".replace(",", ".")
    except (TypeError, ValueError):
        return amount


@register.filter
def status_path(dossier):
    """The applicant's signed status link (``dossiers.links.status_path``): the status without a captcha.

    For the pages only the applicant sees (the success page of the session that filed, the
    receipt opened from its secret link); the typed-code lookup keeps its captcha.
    """
    return links.status_path(dossier)
