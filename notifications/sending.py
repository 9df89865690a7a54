"""Sending outbox rows. Interim version: renders nothing and logs; the notifications issue replaces it."""

import logging

from django.utils import timezone

from .models import Notification, NotificationStatus

logger = logging.getLogger(__name__)


def send(notification_id):
    updated = Notification.objects.filter(pk=notification_id, status=NotificationStatus.PENDING).update(
        status=NotificationStatus.SENT, sent_at=timezone.now(), attempts=1)
    if updated:
        logger.info("notification %s sent (console)", notification_id)


def send_unsent():
    for pk in Notification.objects.filter(status=NotificationStatus.PENDING).values_list("pk", flat=True):
        send(pk)
