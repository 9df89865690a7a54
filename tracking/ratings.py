"""The applicant's satisfaction rating (đánh giá mức độ hài lòng) of a returned dossier."""

from django.db import IntegrityError, transaction

from dossiers.models import Dossier, Rating, RatingScore
from dossiers.workflow import DossierStatus


class RatingNotAllowed(Exception):
    """The dossier's result has not been returned yet: there is nothing to rate."""


class AlreadyRated(Exception):
    """The dossier was rated before; a rating is given once."""


def can_rate(dossier):
    return dossier.status == DossierStatus.RETURNED and not Rating.objects.filter(dossier=dossier).exists()


@transaction.atomic
def rate_dossier(dossier, *, score, comment=""):
    """Record the applicant's rating of ``dossier``, once.

    Allowed only after the result was returned. The dossier row is locked so two
    submissions of the same form at the same instant give one rating; the unique
    one-to-one column guarantees it even so. Raises ``RatingNotAllowed`` or
    ``AlreadyRated``; then nothing is written.
    """
    locked = Dossier.objects.select_for_update().only("id", "status").get(pk=dossier.pk)
    if locked.status != DossierStatus.RETURNED:
        raise RatingNotAllowed(locked.pk)
    if score not in RatingScore.values:
        raise ValueError(f"unknown score {score!r}")
    if Rating.objects.filter(dossier_id=locked.pk).exists():
        raise AlreadyRated(locked.pk)
    try:
        with transaction.atomic():
            return Rating.objects.create(dossier_id=locked.pk, score=score, comment=(comment or "").strip())
    except IntegrityError:
        raise AlreadyRated(locked.pk) from None
