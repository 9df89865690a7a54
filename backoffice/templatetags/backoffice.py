"""Template tags of the back office: the day's work on the admin index, labels and dates of the slips."""

from django import template
from django.utils.translation import gettext

from dossiers import roles
from dossiers.models import Dossier
from dossiers.workflow import TRANSITIONS

from .. import queue

register = template.Library()


@register.simple_tag(takes_context=True)
def work_queue_counts(context):
    """``[(queue, count)]`` of the day's work over the dossiers the current user may see, or ``None``."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.has_perm("dossiers.view_dossier"):
        return None
    return queue.counts(roles.visible_dossiers(Dossier.objects.all(), user), user)


@register.filter
def duration_vi(value):
    """A ``timedelta`` in words: "1 giờ", "30 phút", "1 giờ 30 phút"."""
    try:
        minutes = int(value.total_seconds() // 60)
    except AttributeError:
        return ""
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(gettext("%(hours)s giờ") % {"hours": hours})
    if minutes or not parts:
        parts.append(gettext("%(minutes)s phút") % {"minutes": minutes})
    return " ".join(parts)


@register.filter
def action_label(action):
    """The Vietnamese label of a history entry's action (the transition table's, or the filing's)."""
    transition = TRANSITIONS.get(action)
    if transition is not None:
        return transition.label
    if action in ("register", "registered", "submit"):
        return gettext("Đăng ký trực tuyến")
    return action


@register.filter
def long_date(value):
    """``ngày 15 tháng 02 năm 2027``, as Vietnamese administrative documents date themselves."""
    from django.utils import timezone
    from django.utils.translation import gettext

    if not value:
        return ""
    if hasattr(value, "hour") and timezone.is_aware(value):
        value = timezone.localtime(value)
    return gettext("ngày %(day)s tháng %(month)s năm %(year)s") % {
        "day": f"{value.day:02d}", "month": f"{value.month:02d}", "year": value.year}
