"""Template tags of the public catalogue pages."""

import functools
from html import escape
from urllib.parse import quote

from django import template
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext

from procedures.models import JurisdictionTier, Sector, ServiceLevel
from procedures.selectors import list_names

register = template.Library()


@register.simple_tag
def level_badge(level):
    """The service level's badge, the markup of ``includes/level_badge.html`` written in Python.

    The catalogue shows one per row (and the home page one per popular procedure): as an include,
    the badges cost about a third of the list's render. A badge depends on the level and the
    language only (the translations do not change while the process runs): each is made once.
    """
    return _badge(level, get_language())


@functools.lru_cache(maxsize=64)
def _badge(level, language):
    suffix = {3: gettext("một phần"), 4: gettext("toàn trình")}.get(level, "")
    label = gettext("Mức độ %(level)s") % {"level": level}
    return format_html('<span class="level-badge level-{}" title="{}">{}{}</span>', level, suffix, label,
                       f" · {suffix}" if suffix else "")


@register.simple_tag
def procedure_items(rows):
    """The ``<li>`` of each procedure of the catalogue's list, written in Python.

    ``rows`` are published procedures read as ``values(*LIST_ROW)`` (``procedures.selectors``). In
    the template language each row cost about 0.1 ms (two URL reversals, the badge, a dozen variables), two
    milliseconds for a page of twenty: most of the list's render. The markup is the catalogue's:
    name as the link, a meta line (code, sector, tier, level), and for levels 3 and 4 the "Thực
    hiện" button naming the procedure for screen readers.
    """
    detail_url = _address_for_code("procedures:detail")
    start_url = _address_for_code("filing:start")
    code_label = gettext("Mã")
    file_label = gettext("Thực hiện")
    items = []
    for code, quoted, name, meta, level in _rows(rows):
        action = ""
        if level >= ServiceLevel.PARTIAL:  # the rows are published procedures: can_file_online
            action = (f'\n    <div class="list-actions"><a class="button button-small" href="{start_url(quoted)}">'
                      f'{file_label}<span class="visually-hidden">: {name}</span></a></div>')
        items.append(f'<li>\n    <a href="{detail_url(quoted)}"><strong>{name}</strong></a>\n'
                     f'    <div class="meta">{code_label} {code} · {meta}</div>{action}\n  </li>')
    return mark_safe("".join(items))


@register.simple_tag
def tier_items(tiers, catalogue_url):
    """The home page's entry for each tier (``selectors.tiers_with_counts``): its submit label and count.

    In the template language each entry cost about 650 Python calls (a plural translation, a
    filter, three variables) for a list of three tiers or four.
    """
    if not tiers:
        return mark_safe(f"<li>{escape(gettext('Chưa có cấp thẩm quyền nào.'))}</li>")
    catalogue_url = escape(catalogue_url)
    items = []
    for tier in tiers:
        count = tier["procedure_count"]
        # As {% blocktranslate count %}: the translation chosen by the number, the number localized.
        count_text = ngettext("%(counter)s thủ tục", "%(counter)s thủ tục", count) % {"counter": localize(count)}
        items.append(f'<li><a href="{catalogue_url}?cap={escape(quote(tier["slug"]))}">'
                     f'{escape(gettext(tier["submit_label"]))} <span class="tier-count">{count_text}</span></a></li>\n    ')
    return mark_safe("".join(items))


@register.simple_tag
def popular_items(rows):
    """The home page's most used procedures (rows as for ``procedure_items``): name as the link and the meta line."""
    detail_url = _address_for_code("procedures:detail")
    return mark_safe("".join(
        f'<li><a href="{detail_url(quoted)}">{name}</a>\n      <div class="meta">{code} · {meta}</div></li>'
        for code, quoted, name, meta, _level in _rows(rows)))


def _rows(rows):
    """(code, code for an address, name, "sector · tier · badge", level) of each row, escaped."""
    sector_names, tier_names = list_names()
    # The badge, the sector's and the tier's (translated) label are the same for many rows: made once each.
    badges, sectors, tiers = {}, {}, {}
    for row in rows:
        level, sector, tier = row["service_level"], row["sector_id"], row["tier_id"]
        if level not in badges:
            badges[level] = level_badge(level)
        if sector not in sectors:
            sectors[sector] = escape(_name(sector_names, Sector, sector))
        if tier not in tiers:
            tiers[tier] = escape(gettext(_name(tier_names, JurisdictionTier, tier)))  # JurisdictionTier.label
        # quote() leaves nothing HTML would read (letters, digits, "_.-~/" and %-escapes).
        yield (escape(row["code"]), quote(row["code"]), escape(row["name"]),
               f"{sectors[sector]} · {tiers[tier]} · {badges[level]}", level)


def _name(names, model, pk):
    # A sector or tier added after the names were read (between reading the version and the rows).
    name = names.get(pk)
    return name if name is not None else model.objects.values_list("name", flat=True).get(pk=pk)


def _address_for_code(name):
    """The address of the route ``name`` for a procedure code: one reverse() for the whole list."""
    before, after = reverse(name, args=["CODE"]).rsplit("CODE", 1)
    return lambda quoted_code: f"{before}{quoted_code}{after}"


@register.simple_tag
def agency_items(agencies):
    """The ``<li>`` of each receiving agency on the procedure page, written in Python.

    ``agencies`` are dicts as ``procedure_for_detail`` reads them (``page_agencies``). A procedure
    at commune level lists every commune of the province that receives it, dozens of agencies;
    in the template language each cost about 0.05 ms (five labels, six fields, four conditions).
    """
    labels = {"code": gettext("mã định danh"), "address": gettext("Địa chỉ"), "phone": gettext("Điện thoại"),
              "email": gettext("Thư điện tử"), "hours": gettext("Giờ làm việc")}
    labels = {key: escape(label) for key, label in labels.items()}
    items = []
    for agency in agencies:
        name, code, address, phone, email, hours = (escape(agency[key] or "") for key in (
            "name", "identifier_code", "address", "phone", "email", "opening_hours"))
        address = f"<br>{labels['address']}: {address}" if address else ""
        if phone:
            phone = f'<br>{labels["phone"]}: <a href="tel:{escape(agency["phone"].replace(" ", ""))}">{phone}</a>'
        email = f'<br>{labels["email"]}: <a href="mailto:{email}">{email}</a>' if email else ""
        hours = f"<br>{labels['hours']}: {hours}" if hours else ""
        items.append(f'<li>\n    <strong>{name}</strong> <span class="help">({labels["code"]} {code})</span>\n'
                     f"    {address}\n    {phone}\n    {email}\n    {hours}\n  </li>")
    return mark_safe("".join(items))


@register.simple_tag
def page_links(page, page_range, querystring):
    """The catalogue's pagination (previous, the elided page numbers, next, "Trang n/m"), written in Python.

    In the template language the numbers' loop (a condition, a comparison and the query string
    for each) cost about 900 Python calls, a tenth of a list's render. ``querystring`` is the
    list's query without its page (``trang``); the markup is what catalogue.html wrote.
    """
    paginator = page.paginator
    if paginator.num_pages <= 1:
        return ""
    address = f"?{escape(querystring)}&amp;trang=" if querystring else "?trang="
    parts = [f'<nav class="pagination" aria-label="{escape(gettext("Phân trang"))}">\n  ']
    if page.has_previous():
        parts.append(f'<a class="button button-secondary button-small" href="{address}{page.previous_page_number()}"'
                     f' rel="prev">« {escape(gettext("Trang trước"))}</a>')
    parts.append("\n  ")
    # Page numbers as the template wrote them: localized integers are plain digits (the portal
    # does not set USE_THOUSAND_SEPARATOR), so str(), not localize()'s format lookups per number.
    for number in page_range:
        if number == page.number:
            parts.append(f'<span class="page-current" aria-current="page">{number}</span>')
        elif number == paginator.ELLIPSIS:
            parts.append('<span aria-hidden="true">…</span>')
        else:
            parts.append(f'<a href="{address}{number}">{number}</a>')
    parts.append("\n  ")
    if page.has_next():
        parts.append(f'<a class="button button-secondary button-small" href="{address}{page.next_page_number()}"'
                     f' rel="next">{escape(gettext("Trang sau"))} »</a>')
    position = gettext("Trang %(number)s/%(total)s") % {"number": page.number, "total": paginator.num_pages}
    parts.append(f'\n  <span class="help">{escape(position)}</span>\n</nav>')
    return mark_safe("".join(parts))
