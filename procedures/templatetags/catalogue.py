"""Template tags of the public catalogue pages."""

from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag
def level_badge(level):
    """The service level's badge, the markup of ``includes/level_badge.html`` written in Python.

    The catalogue shows one per row (and the home page one per popular procedure): as an include,
    the badges cost about a third of the list's render.
    """
    suffix = {3: gettext("một phần"), 4: gettext("toàn trình")}.get(level, "")
    label = gettext("Mức độ %(level)s") % {"level": level}
    return format_html('<span class="level-badge level-{}" title="{}">{}{}</span>', level, suffix, label,
                       f" · {suffix}" if suffix else "")


@register.simple_tag
def procedure_items(procedures):
    """The ``<li>`` of each procedure of the catalogue's list, written in Python.

    In the template language each row cost about 0.1 ms (two URL reversals, the badge, a dozen
    variables), two milliseconds for a page of twenty: most of the list's render. The markup is
    the catalogue's: name as the link, a meta line (code, sector, tier, level), and for levels
    3 and 4 the "Thực hiện" button naming the procedure for screen readers.
    """
    detail_url = _address_for_code("procedures:detail")
    start_url = _address_for_code("filing:start")
    code_label = gettext("Mã")
    file_label = gettext("Thực hiện")
    # The badge and the tier's (translated) label are the same for many rows: made once each.
    badges, tiers = {}, {}
    items = []
    for procedure in procedures:
        code = escape(procedure.code)
        quoted = escape(quote(procedure.code))
        name = escape(procedure.name)
        level = procedure.service_level
        if level not in badges:
            badges[level] = level_badge(level)
        if procedure.tier_id not in tiers:
            tiers[procedure.tier_id] = escape(str(procedure.tier))
        meta = f"{code_label} {code} · {escape(str(procedure.sector))} · {tiers[procedure.tier_id]} · {badges[level]}"
        action = ""
        if procedure.can_file_online:
            action = (f'\n    <div class="list-actions"><a class="button button-small" href="{start_url(quoted)}">'
                      f'{file_label}<span class="visually-hidden">: {name}</span></a></div>')
        items.append(f'<li>\n    <a href="{detail_url(quoted)}"><strong>{name}</strong></a>\n'
                     f'    <div class="meta">{meta}</div>{action}\n  </li>')
    return mark_safe("".join(items))


def _address_for_code(name):
    """The address of the route ``name`` for a procedure code: one reverse() for the whole list."""
    before, after = reverse(name, args=["CODE"]).rsplit("CODE", 1)
    return lambda quoted_code: f"{before}{quoted_code}{after}"
