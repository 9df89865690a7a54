"""Celery tasks of the outbox: thin wrappers around ``notifications.sending``."""

from celery import shared_task

from . import sending


@shared_task(acks_late=True)
def send_notification(notification_id):
    """Send one outbox row (placeholder until the notifications issue lands: see sending.py)."""
    sending.send(notification_id)


@shared_task
def send_unsent_notifications():
    """Periodic sweep: send rows that were never sent (broker down, worker died)."""
    sending.send_unsent()
