"""The clerk's work of the day (việc trong ngày): what to receive, what came back, what is due.

One definition per queue, used by the admin index's counters, the counters above the
dossier list and the list's ``viec`` filter, so a count and the rows its link opens are
always the same dossiers. Each queue is one indexed condition on ``Dossier``
(``dossiers/migrations``: status, appointment date, assignee), so the counts stay fast
at a million dossiers; the caller narrows the queryset to the clerk's agencies first.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers import deadlines
from dossiers.models import SupplementRequest
from dossiers.workflow import CLOCK_RUNNING_STATUSES, DossierStatus


@dataclass(frozen=True)
class Queue:
    slug: str        # the ``viec`` parameter of the dossier list
    label: str
    css: str


TO_RECEIVE = Queue("cho-tiep-nhan", _("Chờ tiếp nhận"), "queue-to-receive")
SUPPLEMENTED = Queue("da-bo-sung", _("Đã bổ sung, chờ tiếp nhận lại"), "queue-supplemented")
MINE = Queue("cua-toi", _("Giao cho tôi xử lý"), "queue-mine")
DUE_SOON = Queue("sap-den-han", _("Sắp đến hạn"), "queue-due-soon")
OVERDUE = Queue("qua-han", _("Quá hạn"), "queue-overdue")
QUEUES = [TO_RECEIVE, SUPPLEMENTED, MINE, DUE_SOON, OVERDUE]
BY_SLUG = {queue.slug: queue for queue in QUEUES}
# The list's default: every queue at once.
TODAY = "hom-nay"
ALL = "tat-ca"


def _supplemented():
    """The dossier came back with a supplement (a fulfilled request): it waits to be received again."""
    return Exists(SupplementRequest.objects.filter(dossier=OuterRef("pk"), fulfilled_at__isnull=False))


def condition(queue, user, *, calendar=None, today=None):
    """The ``Q`` of one queue for ``user`` (the assignee of "mine"), for dossiers visible to them."""
    today = today or timezone.localdate()
    if queue is TO_RECEIVE:
        return Q(status=DossierStatus.REGISTERED) & ~Q(_supplemented())
    if queue is SUPPLEMENTED:
        return Q(status=DossierStatus.REGISTERED) & Q(_supplemented())
    if queue is MINE:
        return Q(status=DossierStatus.PROCESSING, assigned_to=user)
    if queue is DUE_SOON:
        return Q(status__in=CLOCK_RUNNING_STATUSES, appointment_date__gte=today,
                 appointment_date__lte=deadlines.due_soon_limit(calendar, today))
    if queue is OVERDUE:
        return Q(status__in=CLOCK_RUNNING_STATUSES, appointment_date__lt=today)
    raise ValueError(queue)


def today_condition(user, *, calendar=None, today=None):
    """Every queue at once: the default of the clerk's dossier list."""
    today = today or timezone.localdate()
    return (Q(status=DossierStatus.REGISTERED)
            | Q(status=DossierStatus.PROCESSING, assigned_to=user)
            | Q(status__in=CLOCK_RUNNING_STATUSES,
                appointment_date__lte=deadlines.due_soon_limit(calendar, today)))


def filter_queue(queryset, slug, user, *, calendar=None, today=None):
    """``queryset`` narrowed to the queue ``slug`` (``TODAY``: all queues; unknown: unchanged)."""
    if slug == TODAY:
        return queryset.filter(today_condition(user, calendar=calendar, today=today))
    if slug in BY_SLUG:
        return queryset.filter(condition(BY_SLUG[slug], user, calendar=calendar, today=today))
    return queryset


def counts(visible, user, *, calendar=None, today=None):
    """``[(queue, count)]`` over ``visible`` (already scoped to the user's agencies): one query per queue.

    Each count reads only an index (status and appointment date, or the assignee), never the
    rows: one query for all five would have to read every row of the day's work instead.
    """
    calendar = calendar or deadlines.WorkingCalendar()
    return [(queue, visible.filter(condition(queue, user, calendar=calendar, today=today)).count())
            for queue in QUEUES]
