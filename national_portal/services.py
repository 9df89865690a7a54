"""Writing and sending the national portal's outbox (``SyncMessage``).

``record_step`` (the receiver of ``dossiers.signals.history_recorded``) writes one row for
the registration (``DongBoHoSoMC``) and one for every later workflow step
(``CapNhatTienDoHoSoMC``), in the transaction of the change; ``resend`` puts failed rows back.
Sending them is ``national_portal.sending``.
"""

import logging

from django.db import transaction
from django.utils import timezone

from dossiers.workflow import TRANSITIONS

from . import client, payloads, tasks
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
    transaction.on_commit(lambda: tasks.enqueue([dossier_id]))
    return message


def forget_personal_data(*, dossier):
    """Blank the applicant's data in every stored payload of ``dossier`` (it was anonymised)."""
    for message in SyncMessage.objects.filter(dossier=dossier, service=SyncService.DOSSIER):
        message.payload = {**message.payload, **payloads.ANONYMISED_FIELDS}
        message.save(update_fields=["payload"])


@transaction.atomic
def resend(messages):
    """Send failed rows again: every failed row of the dossiers of ``messages``, in their order.

    Returns how many rows went back to ``pending``; their attempts start from zero.
    """
    dossier_ids = sorted({message.dossier_id for message in messages if message.status == SyncStatus.FAILED})
    count = SyncMessage.objects.filter(dossier_id__in=dossier_ids, status=SyncStatus.FAILED).update(
        status=SyncStatus.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error="")
    transaction.on_commit(lambda: tasks.enqueue(dossier_ids))
    return count
