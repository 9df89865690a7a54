"""Template tags of the public catalogue pages."""

from django import template
from django.utils.html import format_html
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
