"""Operations that change a dossier. Each runs in one transaction with its history and messages."""

from django.db import transaction

from notifications.services import queue_dossier_notifications

from .models import Dossier, DossierEvent
from .workflow import Actor, get_transition


class DossierChanged(Exception):
    """The dossier changed since the page the clerk acted on was loaded."""


def record_event(dossier, *, action, from_status, actor=None, actor_kind=Actor.SYSTEM, event=None,
                 public_note="", internal_note="", context=None):
    """Append a history entry and queue the citizen's messages for ``event``, in the caller's transaction."""
    entry = DossierEvent.objects.create(
        dossier=dossier, actor=actor, actor_kind=actor_kind, action=action, from_status=from_status,
        to_status=dossier.status, public_note=public_note, internal_note=internal_note,
        appointment_date=dossier.appointment_date,
    )
    if event:
        queue_dossier_notifications(dossier, event, context={"note": public_note, **(context or {})})
    return entry


@transaction.atomic
def apply_transition(dossier, action, *, actor=None, actor_kind=None, expected_version=None,
                     public_note="", internal_note="", changes=None, context=None):
    """Move ``dossier`` through ``action`` of the transition table.

    Locks the row, checks the action is allowed from the current status (and, when
    ``expected_version`` is given, that nobody changed the dossier meanwhile), applies
    ``changes`` (field values), bumps the version, writes the history entry and queues
    the notifications, all in one transaction. Raises ``TransitionNotAllowed`` or
    ``DossierChanged``; then nothing is written.
    """
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if expected_version is not None and locked.version != int(expected_version):
        raise DossierChanged(locked.code)
    transition = get_transition(action, locked.status)
    from_status = locked.status
    for field, value in (changes or {}).items():
        setattr(locked, field, value)
    if transition.target is not None:
        locked.status = transition.target
    locked.version += 1
    locked.save()
    record_event(
        locked, action=action, from_status=from_status, actor=actor,
        actor_kind=actor_kind or transition.actor, event=transition.event,
        public_note=public_note, internal_note=internal_note, context=context,
    )
    # Hand the caller the fresh state without another query.
    dossier.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return locked
