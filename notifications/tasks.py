"""Celery tasks of the outbox (thin wrappers around ``notifications.sending``), and publishing them."""

import logging

from celery import shared_task, signals
from django.db import DatabaseError, transaction

from portal.celery import publish_each

from . import sending, sms

logger = logging.getLogger(__name__)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None, ignore_result=True)
def send_notification(self, notification_id):
    """Send one outbox row, by id, with the other due rows a batch can take along; the rows' state makes repeats harmless.

    Acknowledged late: a worker killed mid-send leaves the message for another worker,
    and the claim in ``sending.send_batch`` keeps it from going out twice. A worker claims
    this row and up to ``NOTIFICATIONS_BATCH_SIZE`` − 1 other due rows in one statement and
    sends them concurrently; the tasks of rows sent that way find them sent and return. A
    temporary failure schedules the row's task again after the backoff the row records; if
    that cannot be published, the periodic sweep finds the row. Run eagerly (no broker),
    only the asked row is sent, so a citizen's request never sends other people's messages.
    """
    try:
        outcomes = sending.send_batch(notification_id, limit=1 if self.request.is_eager else None)
    except DatabaseError as error:
        # The database went away before anything was handed to a provider (a claim or a
        # render that failed): try again soon on a fresh connection; the sweep is the backstop.
        if self.request.is_eager:
            raise
        logger.warning("notification %s: database unavailable (%s); trying again", notification_id, error)
        raise self.retry(countdown=1, max_retries=None) from error
    for other_id, attempt in outcomes.items():
        if other_id != notification_id and attempt.outcome == sending.RETRY:
            _publish_retry(other_id, attempt.retry_in)
    attempt = outcomes[notification_id]
    if attempt.outcome == sending.RETRY and not self.request.is_eager:
        raise self.retry(countdown=attempt.retry_in, max_retries=None)
    return attempt.outcome


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None, ignore_result=True)
def send_notifications(self, notification_ids):
    """Send the outbox rows of one event (its SMS and its email), by id: one task for them, not one each.

    Each row is sent as ``send_notification`` sends it (claimed with the other due rows a batch
    takes along, so the event's rows usually go out together and the later ones are found sent).
    A row to try again later is published on its own ``send_notification`` after its backoff, as
    a batch's other rows are; if that cannot be published, the periodic sweep finds the row.
    Acknowledged late, and repeated whole when the database is away: the rows' state makes the
    repeat harmless. Run eagerly (no broker), only the asked rows are sent and none is retried.
    Returns each asked row's outcome.
    """
    results = {}
    for notification_id in notification_ids:
        if notification_id in results:
            continue  # sent along with an earlier one
        try:
            outcomes = sending.send_batch(notification_id, limit=1 if self.request.is_eager else None)
        except DatabaseError as error:
            if self.request.is_eager:
                raise
            logger.warning("notifications %s: database unavailable (%s); trying again", notification_ids, error)
            raise self.retry(countdown=1, max_retries=None) from error
        for row_id, attempt in outcomes.items():
            if row_id in notification_ids:
                results[row_id] = attempt.outcome
            if attempt.outcome == sending.RETRY and not self.request.is_eager:
                _publish_retry(row_id, attempt.retry_in)
    return results


@signals.worker_init.connect
def _prepare_sending(**kwargs):
    """Load the SMS backend's modules as the worker starts (inherited by prefork's children)."""
    try:
        sms.get_backend().prepare()
    except Exception:  # noqa: BLE001 - a backend that cannot load yet fails its first send instead, as before
        logger.warning("could not prepare the SMS backend", exc_info=True)


def _publish_retry(notification_id, countdown):
    try:
        send_notification.apply_async((notification_id,), countdown=countdown)
    except Exception:  # noqa: BLE001 - any broker error: the sweep finds the row when it is due
        logger.warning("broker unavailable; the retry of notification %s is left for the sweep", notification_id,
                       exc_info=True)


@shared_task(ignore_result=True)
def send_unsent_notifications():
    """Periodic sweep (Celery beat): queue rows that were never sent (broker down, worker died, lost retry).

    Rows unsent for longer than ``NOTIFICATIONS_GIVE_UP_HOURS`` become technical failures first,
    for an operator to resend from the message log.
    """
    sending.give_up_on_stuck()
    return enqueue(sending.unsent_ids())


def enqueue_on_commit(ids):
    """Queue the send tasks once the current transaction commits (at once outside one)."""
    ids = list(ids)
    transaction.on_commit(lambda: enqueue(ids))


def enqueue_together_on_commit(ids):
    """Queue one task for the rows of one event (``send_notifications``) once the current transaction commits."""
    ids = list(ids)
    transaction.on_commit(lambda: enqueue_together(ids))


def enqueue_together(ids):
    """Publish one task for ``ids``; 1 when it was published. A broker outage is logged, not raised (as ``enqueue``)."""
    return publish_each(send_notifications, [list(ids)], "notifications")


def enqueue(ids):
    """Publish one send task per row. A broker outage is logged, not raised: the sweep sends them later."""
    return publish_each(send_notification, ids, "notifications")
