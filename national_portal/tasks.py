"""Celery tasks of the national portal's sync (thin wrappers around ``national_portal.sending``), and publishing them."""

import logging

from celery import shared_task
from django.db import DatabaseError

from portal.celery import publish_each

from . import sending

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None, ignore_result=True)
def deliver_dossier(self, dossier_id):
    """Send one dossier's unsent rows in order; the rows' state makes repeated tasks harmless.

    Acknowledged late: a worker killed mid-call leaves the task to another worker, and the
    lease keeps two workers from sending the same dossier at once. A temporary failure
    schedules this task again after the row's backoff; if that cannot be published, the
    periodic sweep finds the row.
    """
    try:
        sent, retry_in = sending.deliver_dossier(dossier_id)
    except DatabaseError as error:
        if self.request.is_eager:
            raise
        logger.warning("national sync of dossier %s: database unavailable (%s); trying again", dossier_id, error)
        raise self.retry(countdown=1, max_retries=None) from error
    if retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=retry_in, max_retries=None)
    return sent


@shared_task(ignore_result=True)
def sweep_sync_messages():
    """Periodic sweep (Celery beat, every ``NATIONAL_PORTAL_SWEEP_SECONDS``): queue every dossier with a due row.

    Returns the counts by status, logged so that stuck (failed) rows are seen.
    """
    enqueue(sending.dossiers_to_sweep())
    counts = sending.counts_by_status()
    if counts.get("failed"):
        logger.warning("national sync: %s message(s) failed and wait for a resend", counts["failed"])
    return counts


def enqueue(dossier_ids):
    """Publish one delivery task per dossier. A broker outage is logged, not raised: the sweep sends later."""
    return publish_each(deliver_dossier, dossier_ids, "national sync of dossiers")
