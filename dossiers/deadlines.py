"""Working days, appointment dates and the supplement clock.

A working day is a weekday that is not one of Vietnam's public holidays (the
``holidays`` library's calendar: New Year, the lunar Tết days, the Hùng Kings'
commemoration, 30 April, 1 May, National Day …), corrected by the administrator's
``DayOffOverride`` rows: the extra days off and the compensatory Saturdays worked
that the government announces each year.

Processing time counts from the day of reception when the dossier is received before
``settings.RECEPTION_CUTOFF_HOUR`` on a working day, otherwise from the next working
day; the appointment date is the N-th working day after that start day (N = 0: the
same day).
"""

from datetime import datetime, timedelta
from functools import lru_cache

import holidays
from django.conf import settings
from django.utils import timezone

from .models import DayOffKind, DayOffOverride
from .workflow import CLOCK_RUNNING_STATUSES

# Enough for any processing time the catalogue holds (a few months at most).
_SEARCH_LIMIT_DAYS = 3 * 366


@lru_cache(maxsize=64)
def _public_holidays(year):
    return frozenset(holidays.country_holidays("VN", years=year).keys())


class WorkingCalendar:
    """Weekends, public holidays and the administrator's overrides, loaded once (one query).

    Build one per request or per service call; list pages share one across their rows,
    so the number of queries does not grow with the page.
    """

    def __init__(self, overrides=None):
        if overrides is None:
            overrides = DayOffOverride.objects.values_list("date", "kind")
        self.extra_days_off = set()
        self.extra_working_days = set()
        for day, kind in overrides:
            (self.extra_working_days if kind == DayOffKind.WORKING_DAY else self.extra_days_off).add(day)

    def is_working_day(self, day):
        if day in self.extra_working_days:
            return True
        if day in self.extra_days_off:
            return False
        return day.weekday() < 5 and day not in _public_holidays(day.year)

    def next_working_day(self, day):
        """The first working day strictly after ``day``."""
        for offset in range(1, _SEARCH_LIMIT_DAYS):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        raise ValueError("no working day found")  # pragma: no cover - a calendar without weekdays

    def counting_start(self, moment):
        """The day from which processing time counts for something received at ``moment``."""
        local = _local(moment)
        day = local.date()
        if self.is_working_day(day) and local.hour < settings.RECEPTION_CUTOFF_HOUR:
            return day
        return self.next_working_day(day)

    def add_working_days(self, day, days):
        """The ``days``-th working day after ``day`` (``day`` itself when ``days`` is 0)."""
        for _ in range(days):
            day = self.next_working_day(day)
        return day

    def working_days_after(self, moment, days):
        """The appointment date for something received at ``moment`` with ``days`` working days."""
        return self.add_working_days(self.counting_start(moment), days)

    def working_days_between(self, start, end):
        """Working days ``d`` with ``start < d <= end``; negative when ``end`` is before ``start``."""
        start, end = _as_date(start), _as_date(end)
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for offset in range(1, (end - start).days + 1)
                   if self.is_working_day(start + timedelta(days=offset)))

    def days_left(self, appointment_date, today=None):
        """Working days until ``appointment_date`` (0 on the day itself, negative once overdue)."""
        if appointment_date is None:
            return None
        return self.working_days_between(today or timezone.localdate(), appointment_date)


def _local(moment):
    if isinstance(moment, datetime):
        return timezone.localtime(moment) if timezone.is_aware(moment) else moment
    return datetime.combine(moment, datetime.min.time())


def _as_date(value):
    return value.date() if isinstance(value, datetime) else value


def is_working_day(day):
    return WorkingCalendar().is_working_day(day)


def working_days_after(start, days):
    """The appointment date for a dossier received at ``start`` (aware datetime) with ``days`` working days."""
    return WorkingCalendar().working_days_after(start, days)


def working_days_between(start, end):
    """Working days after ``start`` up to and including ``end`` (negative when ``end`` < ``start``)."""
    return WorkingCalendar().working_days_between(start, end)


def due_soon_limit(calendar=None, today=None):
    """The last appointment date that counts as "due soon" (within ``DUE_SOON_WORKING_DAYS``)."""
    calendar = calendar or WorkingCalendar()
    return calendar.add_working_days(today or timezone.localdate(), settings.DUE_SOON_WORKING_DAYS)


def appointment_for(dossier, received_at):
    """The appointment date of ``dossier`` received at ``received_at``, from its procedure's processing time."""
    return working_days_after(received_at, dossier.procedure.processing_days)


def stop_clock(dossier, at):
    """The working days left on ``dossier``'s clock at ``at``, or ``None`` when it is not running.

    Called by ``request_supplement``: the days left are stored on the dossier and the
    supplement restarts the clock with them (``restart_clock``).
    """
    if dossier.appointment_date is None or dossier.received_at is None:
        return None
    return max(working_days_between(_local(at).date(), dossier.appointment_date), 0)


def restart_clock(dossier, at=None):
    """Restart the clock a supplement request stopped: move the appointment date and save it.

    The days left when the clock stopped (``Dossier.remaining_working_days``) count
    again from ``at`` (the moment the citizen supplemented; the cut-off hour applies).
    Idempotent: a dossier whose clock is not stopped is left as it is. Returns the
    appointment date. Call it inside the supplement's transaction.
    """
    if dossier.remaining_working_days is None:
        return dossier.appointment_date
    at = at or timezone.now()
    dossier.appointment_date = working_days_after(at, dossier.remaining_working_days)
    dossier.remaining_working_days = None
    if dossier.pk:
        type(dossier).objects.filter(pk=dossier.pk).update(
            appointment_date=dossier.appointment_date, remaining_working_days=None)
    return dossier.appointment_date


def overdue(queryset, today=None):
    """Dossiers being processed whose appointment date has passed."""
    return queryset.filter(status__in=CLOCK_RUNNING_STATUSES, appointment_date__lt=today or timezone.localdate())


def due_soon(queryset, calendar=None, today=None):
    """Dossiers being processed due today or within ``settings.DUE_SOON_WORKING_DAYS`` working days."""
    today = today or timezone.localdate()
    return queryset.filter(status__in=CLOCK_RUNNING_STATUSES, appointment_date__gte=today,
                           appointment_date__lte=due_soon_limit(calendar, today))


def on_time(queryset, calendar=None, today=None):
    """Dossiers being processed with more than ``settings.DUE_SOON_WORKING_DAYS`` working days left."""
    return queryset.filter(status__in=CLOCK_RUNNING_STATUSES,
                           appointment_date__gt=due_soon_limit(calendar, today or timezone.localdate()))
