"""Celery tasks of the outbox: thin wrappers around ``notifications.sending``."""

from celery import shared_task

from . import sending


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=None, ignore_result=True)
def send_notification(self, notification_id):
    """Send one outbox row, by id; the row's state makes repeats harmless.

    Acknowledged late: a worker killed mid-send leaves the message for another worker,
    and the claim in ``sending.send_notification`` keeps it from going out twice. A
    temporary failure schedules this task again after the backoff the row records; if
    that cannot be published, the periodic sweep finds the row.
    """
    attempt = sending.send_notification(notification_id)
    if attempt.outcome == sending.RETRY and not self.request.is_eager:
        raise self.retry(countdown=attempt.retry_in, max_retries=None)
    return attempt.outcome


@shared_task(ignore_result=True)
def send_unsent_notifications():
    """Periodic sweep (Celery beat): queue rows that were never sent (broker down, worker died, lost retry)."""
    from .services import enqueue

    return enqueue(sending.unsent_ids())
