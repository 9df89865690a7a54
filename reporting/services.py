"""Filling the fact table of the public statistics (``AgencyMonthStatistics``).

Definitions (Decision 766/QĐ-TTg; a month is a calendar month in Vietnam's time):

- *received*: the reception instant (``received_at``) falls in the month, split by channel;
- *carried over*: received before the month and neither resolved nor closed before it;
- *resolved*: the result was recorded (``result_ready_at``) in the month: *early* before the
  appointment date, *on time* on it, *late* after it;
- *in progress*: received, neither resolved nor closed at the month's end (or now, for the
  current month): *within time* while the appointment date has not passed, else *overdue*;
- *withdrawn*, *refused*: the dossier reached that status in the month;
- ratings: the citizen's satisfaction ratings given in the month.

Only dates and statuses are read, so the figures stay right after personal data is removed.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Count, DateTimeField, F, OuterRef, Q, Subquery, When
from django.utils import timezone

from dossiers.models import Dossier, DossierEvent, Rating, SubmissionChannel
from dossiers.workflow import DossierStatus
from procedures.pagecache import version_changed

from .models import AgencyMonthStatistics

# The version of the public pages that show the fact table (``procedures.pagecache``): each refresh
# renews it, and leaves the catalogue's pages, which do not show it, in the cache.
STATISTICS_VERSION = "reporting:statistics-version"

CLOSING_STATUSES = (DossierStatus.REFUSED, DossierStatus.STOPPED, DossierStatus.WITHDRAWN)


def local_zone():
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def month_start(year, month):
    return datetime.datetime(year, month, 1, tzinfo=local_zone())


def next_month(year, month):
    return (year + 1, 1) if month == 12 else (year, month + 1)


def months_between(first, last):
    """Every (year, month) from ``first`` to ``last`` inclusive."""
    year, month = first
    while (year, month) <= last:
        yield year, month
        year, month = next_month(year, month)


def _closed_at():
    # The instant the dossier reached refused / stopped / withdrawn (a final status without a
    # result); looked up in the history only for dossiers in one of those statuses.
    first_closing = Subquery(DossierEvent.objects.filter(dossier=OuterRef("pk"), to_status__in=CLOSING_STATUSES)
                             .exclude(from_status=F("to_status")).order_by("created_at").values("created_at")[:1])
    return Case(When(status__in=CLOSING_STATUSES, then=first_closing), default=None,
                output_field=DateTimeField())


def compute_month(year, month, *, now=None):
    """The figures of every agency with activity in the month: ``{agency_id: {field: count}}``."""
    now = now or timezone.now()
    start = month_start(year, month)
    end = month_start(*next_month(year, month))
    cutoff = min(end, now)
    # The day on which the stock is counted: the month's last day, or today for the current month.
    cutoff_day = (cutoff - datetime.timedelta(microseconds=1)).astimezone(local_zone()).date()
    received_in_month = Q(received_at__gte=start, received_at__lt=end)
    open_at_cutoff = (Q(received_at__lt=cutoff) & (Q(result_ready_at__isnull=True) | Q(result_ready_at__gte=cutoff))
                      & (Q(closed_at__isnull=True) | Q(closed_at__gte=cutoff)))
    resolved = Q(result_ready_at__gte=start, result_ready_at__lt=end)
    closed_in_month = Q(closed_at__gte=start, closed_at__lt=end)
    rows = (
        # A dossier resolved before the month counts in none of its figures.
        Dossier.objects.filter(Q(result_ready_at__isnull=True) | Q(result_ready_at__gte=start))
        .annotate(closed_at=_closed_at())
        .filter(Q(received_at__lt=cutoff) | closed_in_month)
        .values("agency_id")
        .annotate(
            carried_over=Count("pk", filter=Q(received_at__lt=start)
                               & (Q(result_ready_at__isnull=True) | Q(result_ready_at__gte=start))
                               & (Q(closed_at__isnull=True) | Q(closed_at__gte=start))),
            received_online=Count("pk", filter=received_in_month & Q(channel=SubmissionChannel.ONLINE)),
            received_in_person=Count("pk", filter=received_in_month & Q(channel=SubmissionChannel.IN_PERSON)),
            received_by_post=Count("pk", filter=received_in_month & Q(channel=SubmissionChannel.POST)),
            resolved_early=Count("pk", filter=resolved & Q(result_ready_at__date__lt=F("appointment_date"))),
            resolved_on_time=Count("pk", filter=resolved & (Q(result_ready_at__date=F("appointment_date"))
                                                            | Q(appointment_date__isnull=True))),
            resolved_late=Count("pk", filter=resolved & Q(result_ready_at__date__gt=F("appointment_date"))),
            in_progress_on_time=Count("pk", filter=open_at_cutoff & (Q(appointment_date__gte=cutoff_day)
                                                                     | Q(appointment_date__isnull=True))),
            in_progress_overdue=Count("pk", filter=open_at_cutoff & Q(appointment_date__lt=cutoff_day)),
            withdrawn=Count("pk", filter=closed_in_month & Q(status=DossierStatus.WITHDRAWN)),
            refused=Count("pk", filter=closed_in_month & Q(status=DossierStatus.REFUSED)),
        )
        .order_by()
    )
    figures = {row.pop("agency_id"): row for row in rows}
    ratings = (Rating.objects.filter(created_at__gte=start, created_at__lt=end)
               .values("dossier__agency_id").order_by()
               .annotate(rated_satisfied=Count("pk", filter=Q(score="satisfied")),
                         rated_acceptable=Count("pk", filter=Q(score="acceptable")),
                         rated_not_satisfied=Count("pk", filter=Q(score="not_satisfied"))))
    for row in ratings:
        figures.setdefault(row.pop("dossier__agency_id"), {}).update(row)
    return figures


@transaction.atomic
def refresh_month(year, month, *, now=None):
    """Recompute one month's rows for every agency; returns how many rows it holds.

    One transaction replaces the month's rows: a reader sees the old figures or the new
    ones, never a mix. Running it again gives the same rows. The statistics pages get a new version
    (``STATISTICS_VERSION``): they show the new figures on the next request.
    """
    now = now or timezone.now()
    figures = compute_month(year, month, now=now)
    AgencyMonthStatistics.objects.filter(year=year, month=month).delete()
    AgencyMonthStatistics.objects.bulk_create([
        AgencyMonthStatistics(agency_id=agency_id, year=year, month=month, computed_at=now, **values)
        for agency_id, values in figures.items() if any(values.values())
    ])
    version_changed(STATISTICS_VERSION)
    return AgencyMonthStatistics.objects.filter(year=year, month=month).count()


def first_activity_month():
    first = Dossier.objects.order_by("submitted_at").values_list("submitted_at", flat=True).first()
    if first is None:
        return None
    first = first.astimezone(local_zone())
    return first.year, first.month


def refresh_statistics(*, since=None, now=None):
    """Recompute the months from ``since`` (a (year, month); default: the previous month) to now.

    ``since="all"`` recomputes from the first dossier. Idempotent; safe to run at any time.
    Returns the months recomputed.
    """
    now = now or timezone.now()
    local_now = now.astimezone(local_zone())
    current = (local_now.year, local_now.month)
    if since == "all":
        since = first_activity_month() or current
    elif since is None:
        since = (current[0] - 1, 12) if current[1] == 1 else (current[0], current[1] - 1)
    months = list(months_between(since, current))
    for year, month in months:
        refresh_month(year, month, now=now)
    return months
