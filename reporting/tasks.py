"""Periodic task of the public statistics."""

from celery import shared_task

from . import services


@shared_task
def refresh_statistics(since=None):
    """Recompute the fact table for the previous and the current month (``CELERY_BEAT_SCHEDULE``, hourly).

    ``since="all"`` (or ``[year, month]``) recomputes further back, e.g. after an import.
    Idempotent: each month's rows are replaced in one transaction. Returns the months done.
    """
    if isinstance(since, list | tuple):
        since = tuple(since)
    return [list(month) for month in services.refresh_statistics(since=since)]
