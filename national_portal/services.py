"""Writing and sending the national portal's outbox (``SyncMessage``).

``record_step`` (the receiver of ``dossiers.signals.history_recorded``) writes one row for
the registration (``DongBoHoSoMC``) and one for every later workflow step
(``CapNhatTienDoHoSoMC``), in the transaction of the change; ``deliver_dossier`` sends a
dossier's rows in order, one at a time, under a lease.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from dossiers.workflow import TRANSITIONS

from . import client, payloads
from .models import SyncMessage, SyncService, SyncStatus

logger = logging.getLogger(__name__)

REGISTRATION = "register"


def record_step(*, dossier, entry):
    """Write the row for history ``entry`` of ``dossier`` (in the caller's transaction); None if nothing to report.

    Only the registration and the actions of the transition table are steps for the
    national portal; notes (a payment recorded, an anonymisation) are not. Nothing is
    written while the sync is not configured.
    """
    if not client.is_configured():
        return None
    if entry.action == REGISTRATION:
        service, payload = SyncService.DOSSIER, payloads.dossier_payload(dossier)
    elif entry.action in TRANSITIONS:
        service, payload = SyncService.PROGRESS, payloads.progress_payload(dossier, entry)
    else:
        return None
    message = SyncMessage.objects.create(dossier_id=dossier.pk, entry=entry, service=service, payload=payload)
    dossier_id = dossier.pk
    transaction.on_commit(lambda: enqueue([dossier_id]))
    return message


def forget_personal_data(*, dossier):
    """Blank the applicant's data in every stored payload of ``dossier`` (it was anonymised)."""
    for message in SyncMessage.objects.filter(dossier=dossier, service=SyncService.DOSSIER):
        message.payload = {**message.payload, **payloads.ANONYMISED_FIELDS}
        message.save(update_fields=["payload"])


def enqueue(dossier_ids):
    """Publish one delivery task per dossier. A broker outage is logged, not raised: the sweep sends later."""
    from .tasks import deliver_dossier

    queued = 0
    for dossier_id in dossier_ids:
        try:
            deliver_dossier.delay(dossier_id)
            queued += 1
        except Exception:  # noqa: BLE001 - any broker error: the rows stay for the sweep
            logger.warning("broker unavailable; national sync of dossiers %s left for the sweep", dossier_ids,
                           exc_info=True)
            break
    return queued


def retry_delay(attempts):
    return min(settings.NATIONAL_PORTAL_RETRY_BASE_SECONDS * 2 ** (attempts - 1),
               settings.NATIONAL_PORTAL_RETRY_MAX_SECONDS)


def _head(dossier_id):
    """The dossier's first row not yet sent: the only one that may be sent now."""
    return SyncMessage.objects.filter(dossier_id=dossier_id).exclude(status=SyncStatus.SENT).order_by("id").first()


def _fail_from(message, reason):
    """``message`` failed for good: it and every later row of its dossier become ``failed`` (kept in order)."""
    now = timezone.now()
    SyncMessage.objects.filter(pk=message.pk, status=SyncStatus.SENDING, attempts=message.attempts).update(
        status=SyncStatus.FAILED, lease_until=None, last_error=reason[:2000])
    SyncMessage.objects.filter(dossier_id=message.dossier_id, id__gt=message.pk).exclude(
        status__in=(SyncStatus.SENT, SyncStatus.FAILED)).update(
        status=SyncStatus.FAILED, last_error=f"Chờ bản tin #{message.pk} bị lỗi trước đó", next_attempt_at=now)


def deliver_dossier(dossier_id):
    """Send the dossier's unsent rows in order; returns ``(sent, retry_in)`` (seconds, or None).

    Guarantees: rows of one dossier go out in ``id`` order, one at a time: only the first
    unsent row can be claimed, with one atomic ``UPDATE`` that gives it a lease; a row
    sent successfully is never sent again; an attempt whose outcome is unknown (time-out,
    a worker killed mid-call) is repeated with the same ``IdGiaoDich``. A temporary
    failure waits ``retry_delay``; after ``NATIONAL_PORTAL_MAX_ATTEMPTS`` or a permanent
    failure the row and those after it end ``failed``.
    """
    sent = 0
    while True:
        head = _head(dossier_id)
        if head is None:
            return sent, None
        if head.status == SyncStatus.FAILED:
            # Later rows never overtake a failed one.
            SyncMessage.objects.filter(dossier_id=dossier_id, id__gt=head.pk, status=SyncStatus.PENDING).update(
                status=SyncStatus.FAILED, last_error=f"Chờ bản tin #{head.pk} bị lỗi trước đó")
            return sent, None
        now = timezone.now()
        claimed = SyncMessage.objects.filter(pk=head.pk).filter(
            Q(status=SyncStatus.PENDING, next_attempt_at__lte=now)
            | Q(status=SyncStatus.SENDING, lease_until__lt=now)
        ).update(status=SyncStatus.SENDING, attempts=F("attempts") + 1,
                 lease_until=now + timedelta(seconds=settings.NATIONAL_PORTAL_LEASE_SECONDS))
        if not claimed:
            # Another worker holds it, or its retry is not due yet: the task that scheduled the
            # retry (or the sweep) sends it, so tasks do not pile up behind one slow row.
            return sent, None
        head.refresh_from_db()
        try:
            client.send(service=head.service, transaction_id=head.transaction_id, data=head.payload)
        except client.TemporaryError as error:
            if head.attempts >= settings.NATIONAL_PORTAL_MAX_ATTEMPTS:
                _fail_from(head, f"{error} (sau {head.attempts} lần gửi)")
                return sent, None
            delay = retry_delay(head.attempts)
            SyncMessage.objects.filter(pk=head.pk, status=SyncStatus.SENDING, attempts=head.attempts).update(
                status=SyncStatus.PENDING, lease_until=None, last_error=str(error)[:2000],
                next_attempt_at=timezone.now() + timedelta(seconds=delay))
            return sent, delay
        except client.PermanentError as error:
            _fail_from(head, str(error))
            return sent, None
        SyncMessage.objects.filter(pk=head.pk, status=SyncStatus.SENDING, attempts=head.attempts).update(
            status=SyncStatus.SENT, lease_until=None, sent_at=timezone.now(), last_error="")
        sent += 1


def dossiers_to_sweep():
    """Dossiers whose first unsent row is due and not held: never queued (broker down), retry lost, worker died."""
    now = timezone.now()
    grace = now - timedelta(seconds=settings.NATIONAL_PORTAL_SWEEP_GRACE_SECONDS)
    due = SyncMessage.objects.filter(
        Q(status=SyncStatus.PENDING, next_attempt_at__lte=grace, created_at__lte=grace)
        | Q(status=SyncStatus.SENDING, lease_until__lt=now))
    return list(due.order_by().values_list("dossier_id", flat=True).distinct()[:1000])


@transaction.atomic
def resend(messages):
    """Send failed rows again: every failed row of the dossiers of ``messages``, in their order.

    Returns how many rows went back to ``pending``; their attempts start from zero.
    """
    dossier_ids = sorted({message.dossier_id for message in messages if message.status == SyncStatus.FAILED})
    count = SyncMessage.objects.filter(dossier_id__in=dossier_ids, status=SyncStatus.FAILED).update(
        status=SyncStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error="")
    transaction.on_commit(lambda: enqueue(dossier_ids))
    return count


def counts_by_status(queryset=None):
    """How many rows are in each status (``failed`` are the stuck ones an operator must look at)."""
    queryset = SyncMessage.objects.all() if queryset is None else queryset
    counts = dict(queryset.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in SyncStatus.values}
