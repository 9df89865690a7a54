"""Writing outbox rows; sending them is ``notifications.sending``, run by Celery tasks."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from dossiers.signals import event_recorded, resume_link_requested

from .models import RESUME_LINK, Channel, Notification, NotificationStatus
from .rendering import SNAPSHOT, channel_contexts, message_language, render_draft_message
from .tasks import enqueue_on_commit, enqueue_together_on_commit


def _json_safe(context):
    return json.loads(json.dumps(context or {}, cls=DjangoJSONEncoder))


def queue_dossier_notifications(dossier, event, *, context=None):
    """Write one outbox row per channel the applicant has, and send them after commit.

    Must be called inside the transaction that records the event: a rollback then
    leaves no message behind, and a broker outage leaves the rows for the periodic
    sweep (``send_unsent_notifications``) to send. Each row keeps the template variables
    as they are now (``rendering.SNAPSHOT``), so the message tells the dossier as it was
    at the event; the worker renders the text when it sends the row, and the rows are
    written in one statement, so the event's request neither reads templates nor renders.
    The rows are published as one task (``tasks.send_notifications``): one broker round
    trip per event, not one per row.
    """
    recipients = []
    if dossier.applicant_phone:
        recipients.append((Channel.SMS, dossier.applicant_phone))
    if dossier.applicant_email:
        recipients.append((Channel.EMAIL, dossier.applicant_email))
    if not recipients:
        return []
    context = _json_safe(context)
    language = message_language(dossier.language)
    variables = channel_contexts(dossier, event, context, channels=[channel for channel, _to in recipients],
                                 language=language)
    rows = Notification.objects.bulk_create([
        Notification(dossier=dossier, event=event, channel=channel, recipient=recipient, language=language,
                     context={**context, SNAPSHOT: _json_safe(variables[channel])})
        for channel, recipient in recipients
    ])
    enqueue_together_on_commit([row.pk for row in rows])
    return rows


@receiver(event_recorded, dispatch_uid="notifications.queue_dossier_notifications")
def _write_outbox_rows(sender, *, dossier, event, context, **kwargs):
    """The core recorded an event the citizen hears about: write its messages in that transaction."""
    queue_dossier_notifications(dossier, event, context=context)


def queue_resume_link(draft, *, phone="", email="", resume_url, expires_at, applicant_name="", language="vi"):
    """Write the resume-link messages of ``draft`` (one per address given) and send them after commit.

    The rows belong to the draft, not a dossier, and go out through the same outbox and worker
    as every other message (the same claim, lease and exactly-once bookkeeping). How often a
    citizen may ask is the filing wizard's rule (``filing.quotas``); this only writes the rows.
    """
    context = _json_safe({"resume_url": resume_url, "expires_at": expires_at, "applicant_name": applicant_name})
    language = message_language(language)
    rows = []
    for channel, recipient in ((Channel.SMS, phone), (Channel.EMAIL, email)):
        if not recipient:
            continue
        rendered = render_draft_message(draft, channel, language, context)
        rows.append(Notification.objects.create(
            draft=draft, event=RESUME_LINK, channel=channel, recipient=recipient, language=language,
            context=context, subject=rendered.subject, body=rendered.body, body_html=rendered.html,
            segments=rendered.segments,
        ))
    if rows:
        enqueue_together_on_commit([row.pk for row in rows])
    return rows


@receiver(resume_link_requested, dispatch_uid="notifications.queue_resume_link")
def _write_resume_link_rows(sender, *, draft, phone, email, resume_url, expires_at, applicant_name, language,
                            **kwargs):
    """The wizard asked for a draft's resume link to be sent: write its messages in that transaction."""
    return queue_resume_link(draft, phone=phone, email=email, resume_url=resume_url, expires_at=expires_at,
                             applicant_name=applicant_name, language=language)


RESENDABLE = [NotificationStatus.FAILED, NotificationStatus.UNDELIVERED, NotificationStatus.TECHNICAL_FAILURE]


@transaction.atomic
def resend(notifications):
    """Put failed, undelivered or given-up messages back in the outbox for a fresh set of attempts.

    Returns how many rows were reset; rows in any other status are left alone. An attempt whose
    outcome was never known stays recorded (``attempt_started_at``), so the first new attempt of
    an SMS asks the provider before sending: an operator's resend does not make a second copy.
    """
    ids = list(
        Notification.objects.filter(pk__in=[n.pk for n in notifications], status__in=RESENDABLE)
        .values_list("pk", flat=True))
    Notification.objects.filter(pk__in=ids).update(
        status=NotificationStatus.PENDING, attempts=0, next_attempt_at=None, lease_expires_at=None,
        provider_id="", sent_at=None, delivered_at=None, updated_at=timezone.now())
    if ids:
        enqueue_on_commit(ids)
    return len(ids)
