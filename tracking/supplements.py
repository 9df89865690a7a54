"""The citizen's side of a supplement request (bổ sung hồ sơ): opening the secret link, answering it.

The clerk's side (``request_supplement``) lives with the back office. A supplement
link is a signed token bound to one ``SupplementRequest`` and its own ``secret``
(``dossiers.links``); it opens the request's page until the citizen answers it, the
request expires, or the dossier moves on. Whatever is wrong with a link, the citizen
gets a clear page and never any data.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare

from dossiers import links
from dossiers.deadlines import restart_clock
from dossiers.models import Dossier, DossierFile, DossierFileKind, SupplementRequest
from dossiers.services import apply_transition
from dossiers.workflow import Actor, DossierStatus


class SupplementLinkError(Exception):
    """The supplement link cannot be used; ``reason`` says which page to show."""

    INVALID = "invalid"     # tampered, unknown, or not this request's secret (another dossier's link)
    EXPIRED = "expired"     # past the request's deadline or the link's age
    USED = "used"           # the citizen already answered this request
    CLOSED = "closed"       # the dossier moved on (refused, withdrawn, a newer request)

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def open_supplement_request(token, *, now=None):
    """The ``SupplementRequest`` a link's token opens, or raise ``SupplementLinkError``.

    The signature, the request's own secret (compared in constant time), the link's
    age (``settings.SUPPLEMENT_LINK_DAYS``), the request's deadline, whether it was
    answered, and whether it is still the dossier's open request are all checked.
    """
    now = now or timezone.now()
    try:
        request_id, secret = links.read_token(links.SUPPLEMENT, token, max_age_days=settings.SUPPLEMENT_LINK_DAYS)
    except links.BadToken as error:
        # By the exception, not its text: a tampered signature's text may hold the letters "age".
        raise SupplementLinkError(SupplementLinkError.EXPIRED if error.expired else SupplementLinkError.INVALID) \
            from None
    if not isinstance(request_id, int) or not isinstance(secret, str):
        raise SupplementLinkError(SupplementLinkError.INVALID)
    supplement_request = (SupplementRequest.objects.select_related("dossier", "dossier__procedure", "dossier__agency")
                          .filter(pk=request_id).first())
    if supplement_request is None or not constant_time_compare(supplement_request.secret, secret):
        raise SupplementLinkError(SupplementLinkError.INVALID)
    check_still_open(supplement_request, now=now)
    return supplement_request


def check_still_open(supplement_request, *, now=None):
    """Raise ``SupplementLinkError`` unless the citizen can still answer ``supplement_request``."""
    now = now or timezone.now()
    if supplement_request.fulfilled_at is not None:
        raise SupplementLinkError(SupplementLinkError.USED)
    if supplement_request.expires_at and supplement_request.expires_at <= now:
        raise SupplementLinkError(SupplementLinkError.EXPIRED)
    dossier = supplement_request.dossier
    newest = (SupplementRequest.objects.filter(dossier_id=dossier.pk).order_by("-created_at", "-id")
              .values_list("pk", flat=True).first())
    if dossier.status != DossierStatus.SUPPLEMENT_REQUESTED or newest != supplement_request.pk:
        raise SupplementLinkError(SupplementLinkError.CLOSED)


def submit_supplement(supplement_request, *, files, note="", at=None):
    """Answer ``supplement_request`` with the citizen's documents, in one transaction.

    ``files`` is a list of ``(item, CheckedUpload)`` pairs: the missing item a file
    answers and an upload already checked by ``dossiers.uploads.validate_upload``.
    Attaches them to the dossier as ``DossierFile`` rows of kind ``supplement`` linked
    to the request; marks the request fulfilled (its link stops working); moves the
    dossier back to the clerk's queue through the ``supplement`` transition (history
    entry and the citizen's "supplement received" messages); restarts the deadline clock
    the request stopped (``dossiers.deadlines.restart_clock``). The request row is locked,
    so a double submission answers it once; the second raises ``SupplementLinkError``
    (``used``). If anything fails nothing is written and the stored files are removed.
    """
    at = at or timezone.now()
    stored = []
    try:
        with transaction.atomic():
            # The dossier first, then the request: the order the clerk's side locks them in.
            dossier = Dossier.objects.select_for_update().get(pk=supplement_request.dossier_id)
            locked = SupplementRequest.objects.select_for_update().get(pk=supplement_request.pk)
            locked.dossier = dossier
            check_still_open(locked, now=at)
            for item, checked in files:
                attachment = DossierFile(
                    dossier=dossier, kind=DossierFileKind.SUPPLEMENT, supplement_request=locked,
                    component_name=(item or "")[:500], original_name=checked.name,
                    content_type=checked.content_type, size=checked.size, uploaded_at=at,
                )
                attachment.file.save(checked.file.name, checked.file, save=False)
                stored.append(attachment.file.name)
                attachment.save()
            locked.fulfilled_at = at
            locked.citizen_note = (note or "").strip()
            locked.save(update_fields=["fulfilled_at", "citizen_note"])
            # Before the transition, so its history entry carries the new appointment date.
            restart_clock(dossier, at)
            # The citizen's note goes to the clerks only: the public timeline shows the step, not the words.
            dossier = apply_transition(dossier, "supplement", actor_kind=Actor.CITIZEN,
                                       internal_note=locked.citizen_note,
                                       context={"files": len(stored)})
    except BaseException:
        from django.core.files.storage import default_storage

        for name in stored:
            default_storage.delete(name)
        raise
    supplement_request.fulfilled_at = at
    supplement_request.citizen_note = locked.citizen_note
    return dossier
