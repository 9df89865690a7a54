"""Writing outbox rows; sending them is ``notifications.sending``, run by Celery tasks."""

from django.db import transaction

from .models import Channel, Notification


def queue_dossier_notifications(dossier, event, *, context=None):
    """Write one outbox row per channel the applicant has, and send them after commit.

    Must be called inside the transaction that records the event: a rollback then
    leaves no message behind, and a broker outage leaves the rows for the periodic
    sweep (``send_unsent_notifications``) to send.
    """
    recipients = []
    if dossier.applicant_phone:
        recipients.append((Channel.SMS, dossier.applicant_phone))
    if dossier.applicant_email:
        recipients.append((Channel.EMAIL, dossier.applicant_email))
    rows = [
        Notification.objects.create(dossier=dossier, event=event, channel=channel, recipient=recipient,
                                    language=dossier.language, context=context or {})
        for channel, recipient in recipients
    ]
    if rows:
        ids = [row.pk for row in rows]
        transaction.on_commit(lambda: _enqueue(ids))
    return rows


def _enqueue(ids):
    from .tasks import send_notification

    for notification_id in ids:
        try:
            send_notification.delay(notification_id)
        except Exception:  # noqa: BLE001 - the broker is down: the periodic sweep sends it later
            import logging

            logging.getLogger(__name__).warning("broker unavailable; notification %s left for the sweep",
                                                notification_id, exc_info=True)
