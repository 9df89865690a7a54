"""Sending the national portal's outbox: one dossier's rows in order, under a lease, with backoff."""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count, F, Q
from django.utils import timezone

from . import client
from .models import SyncMessage, SyncStatus


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


def counts_by_status(queryset=None):
    """How many rows are in each status (``failed`` are the stuck ones an operator must look at)."""
    queryset = SyncMessage.objects.all() if queryset is None else queryset
    counts = dict(queryset.order_by().values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in SyncStatus.values}
