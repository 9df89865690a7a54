"""The leader's view (tình hình giải quyết hồ sơ): one month of one or more agencies in figures.

Per agency: dossiers received this month; results this month, early, on time or late
against their appointment date; dossiers in progress, on time or late today; the on-time
rate of the month's results; and the share of "satisfied" among the month's ratings.

Three grouped queries over the dossiers (each bounded by an indexed range: reception
date, result date, the running statuses) and one over the ratings, whatever the table
holds; nothing is counted row by row in Python.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from dossiers import roles
from dossiers.models import Dossier, Rating, RatingScore
from dossiers.workflow import CLOCK_RUNNING_STATUSES
from procedures.models import Agency


def may_see(user):
    """Agency leaders (who may stop a dossier) and those who see every agency."""
    return user.is_active and (roles.sees_all_agencies(user) or user.has_perm(roles.STOP))


@dataclass
class AgencySummary:
    agency: Agency
    received: int = 0
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    in_progress_on_time: int = 0
    in_progress_late: int = 0
    ratings: int = 0
    satisfied: int = 0

    @property
    def resolved(self):
        return self.resolved_early + self.resolved_on_time + self.resolved_late

    @property
    def on_time_rate(self):
        """Early or on time among the month's results, in percent (``None`` without results)."""
        if not self.resolved:
            return None
        return round(100 * (self.resolved_early + self.resolved_on_time) / self.resolved, 1)

    @property
    def satisfaction_rate(self):
        if not self.ratings:
            return None
        return round(100 * self.satisfied / self.ratings, 1)


def month_bounds(month):
    """The first instant of ``month`` (a date in it) and of the next month, local time."""
    start = month.replace(day=1)
    following = date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return (timezone.make_aware(datetime.combine(start, time.min)),
            timezone.make_aware(datetime.combine(following, time.min)))


def agency_summaries(agencies, month, *, today=None):
    """``[AgencySummary]`` for ``agencies`` (a queryset) in the month containing ``month``."""
    today = today or timezone.localdate()
    start, end = month_bounds(month)
    by_agency = {agency.pk: AgencySummary(agency) for agency in agencies.order_by("name")}
    ids = list(by_agency)
    dossiers = Dossier.objects.filter(agency_id__in=ids)

    for row in (dossiers.filter(received_at__gte=start, received_at__lt=end)
                .values("agency_id").annotate(n=Count("pk"))):
        by_agency[row["agency_id"]].received = row["n"]

    results = (dossiers.filter(result_ready_at__gte=start, result_ready_at__lt=end, appointment_date__isnull=False)
               .annotate(result_day=TruncDate("result_ready_at", tzinfo=timezone.get_current_timezone()))
               .values("agency_id")
               .annotate(early=Count("pk", filter=Q(result_day__lt=F("appointment_date"))),
                         on_time=Count("pk", filter=Q(result_day=F("appointment_date"))),
                         late=Count("pk", filter=Q(result_day__gt=F("appointment_date")))))
    for row in results:
        summary = by_agency[row["agency_id"]]
        summary.resolved_early, summary.resolved_on_time, summary.resolved_late = (
            row["early"], row["on_time"], row["late"])

    running = (dossiers.filter(status__in=CLOCK_RUNNING_STATUSES)
               .values("agency_id")
               # Counting the (never empty) agency, not the id: the status-and-deadline index, which
               # includes the agency, answers the query alone.
               .annotate(on_time=Count("agency", filter=Q(appointment_date__gte=today)),
                         late=Count("agency", filter=Q(appointment_date__lt=today))))
    for row in running:
        summary = by_agency[row["agency_id"]]
        summary.in_progress_on_time, summary.in_progress_late = row["on_time"], row["late"]

    ratings = (Rating.objects.filter(dossier__agency_id__in=ids, created_at__gte=start, created_at__lt=end)
               .values("dossier__agency_id")
               .annotate(n=Count("pk"), satisfied=Count("pk", filter=Q(score=RatingScore.SATISFIED))))
    for row in ratings:
        summary = by_agency[row["dossier__agency_id"]]
        summary.ratings, summary.satisfied = row["n"], row["satisfied"]
    return list(by_agency.values())

