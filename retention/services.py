"""Removing the personal data of closed dossiers once ``PERSONAL_DATA_RETENTION_YEARS`` have passed.

What goes: the applicant's fields (name, birth date, ID number, phone, email, address,
organisation and tax code), the declaration's values, the delivery address, the citizen's
notes and rating comment, and every uploaded file (application, supplement, result).
What stays: the code, procedure, agency, channel, dates, statuses, the history (with a new
entry saying the data was removed), the rating's score, hence every public statistic.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from dossiers.models import Dossier, DossierEvent, Rating, SupplementRequest
from dossiers.services import record_event
from dossiers.signals import personal_data_removed
from dossiers.workflow import FINAL_STATUSES, Actor

from .models import Anonymisation

logger = logging.getLogger(__name__)

ACTION = "anonymise"
ANONYMISED_NAME = "—"
# The applicant's fields and what they declared; the value each one is left with.
PERSONAL_FIELDS = {
    "applicant_name": ANONYMISED_NAME, "applicant_birth_date": None, "applicant_id_number": "",
    "applicant_phone": "", "applicant_email": "", "applicant_address": "", "organisation_name": "",
    "organisation_tax_code": "", "declaration": {}, "delivery_address": "",
}


def retention_cutoff(now=None):
    """Dossiers that reached their final status before this instant are past retention."""
    now = now or timezone.now()
    # 365.25 days a year: leap years never shorten the period.
    return now - timedelta(days=365.25 * settings.PERSONAL_DATA_RETENTION_YEARS)


def dossiers_past_retention(now=None):
    """Closed dossiers not yet anonymised whose last status change is older than the retention period."""
    last_change = (DossierEvent.objects.filter(dossier=OuterRef("pk")).values("dossier")
                   .annotate(last=Max("created_at")).values("last"))
    return (Dossier.objects.filter(status__in=FINAL_STATUSES, anonymisation__isnull=True)
            .annotate(final_status_at=Subquery(last_change))
            .filter(Q(final_status_at__lt=retention_cutoff(now)))
            .order_by("final_status_at", "pk"))


@transaction.atomic
def anonymise_dossier(dossier, *, final_status_at=None):
    """Remove ``dossier``'s personal data and files, keeping what the statistics and the history need.

    Guarantees: one transaction clears the fields, deletes the file rows and appends the
    history entry; the stored files are deleted only after it commits, so a rollback
    loses nothing. A dossier that is not closed, or already anonymised, is left alone
    (returns None).
    """
    locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if locked.status not in FINAL_STATUSES or Anonymisation.objects.filter(dossier=locked).exists():
        return None
    if final_status_at is None:
        final_status_at = locked.events.aggregate(last=Max("created_at"))["last"] or timezone.now()
    files = list(locked.files.all())
    stored_names = [item.file.name for item in files if item.file]
    locked.files.all().delete()
    for field, value in PERSONAL_FIELDS.items():
        setattr(locked, field, value)
    # save(), not update(): the model keeps derived columns (a search key of the name) in step.
    locked.save()
    SupplementRequest.objects.filter(dossier=locked).update(citizen_note="")
    Rating.objects.filter(dossier=locked).update(comment="")
    record_event(locked, action=ACTION, from_status=locked.status, actor_kind=Actor.SYSTEM,
                 internal_note=_("Đã xóa dữ liệu cá nhân và %(count)d tệp sau %(years)d năm lưu trữ.") % {
                     "count": len(files), "years": settings.PERSONAL_DATA_RETENTION_YEARS})
    record = Anonymisation.objects.create(dossier=locked, final_status_at=final_status_at,
                                          files_deleted=len(files))
    personal_data_removed.send(sender=Anonymisation, dossier=locked)
    transaction.on_commit(lambda: _delete_stored_files(stored_names))
    return record


def _delete_stored_files(names):
    from django.core.files.storage import default_storage

    for name in names:
        try:
            default_storage.delete(name)
        except OSError:
            # Left on disk, the file is no longer referenced; the orphan clean-up removes it.
            logger.warning("could not delete %s after anonymisation", name, exc_info=True)


def anonymise_expired_dossiers(*, now=None, batch_size=500):
    """Anonymise every dossier past retention, one transaction each; returns how many were anonymised.

    Safe to run at any time and any number of times: an anonymised dossier is never
    touched again, and a failure on one dossier leaves the others done.
    """
    done = 0
    while True:
        batch = list(dossiers_past_retention(now).values_list("pk", "final_status_at")[:batch_size])
        if not batch:
            return done
        progressed = 0
        for pk, final_status_at in batch:
            if anonymise_dossier(Dossier(pk=pk), final_status_at=final_status_at) is not None:
                progressed += 1
        done += progressed
        if not progressed:
            return done
