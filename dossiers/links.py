"""Secret links sent to the applicant: supplement, electronic result, rating, payment.

A link carries a signed, timestamped token bound to one object (and, for a supplement,
to that request's own secret), so it can neither be guessed nor reused for another
dossier. Reading a token back is ``read_token``; it raises ``BadToken`` for anything
wrong, expired or tampered.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from .models import Dossier

SUPPLEMENT = "supplement"
RESULT = "result"
RATING = "rating"
PAYMENT = "payment"
STATUS = "status"
RECEIPT = "receipt"


class BadToken(Exception):
    """The link is unknown, tampered with, or expired (``expired``: it was good and is too old)."""

    def __init__(self, message, *, expired=False):
        super().__init__(message)
        self.expired = expired


def make_token(purpose, object_id, secret=""):
    return signing.TimestampSigner(salt=f"dossiers.links.{purpose}").sign_object([object_id, secret], compress=True)


def read_token(purpose, token, *, max_age_days):
    """Return ``(object_id, secret)`` of a valid token of ``purpose``, or raise ``BadToken``."""
    signer = signing.TimestampSigner(salt=f"dossiers.links.{purpose}")
    try:
        object_id, secret = signer.unsign_object(token, max_age=max_age_days * 86400)
    except signing.SignatureExpired as error:
        raise BadToken(str(error), expired=True) from None
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise BadToken(str(error)) from None
    return object_id, secret


def dossier_from_token(purpose, token, *, max_age_days):
    """The dossier a valid link of ``purpose`` names (procedure and agency joined), or None."""
    try:
        dossier_id, _secret = read_token(purpose, token, max_age_days=max_age_days)
    except BadToken:
        return None
    return Dossier.objects.select_related("procedure", "agency").filter(pk=dossier_id).first()


def absolute(path):
    return f"{settings.PORTAL_BASE_URL}{path}"


def supplement_url(supplement_request):
    return absolute(supplement_path(supplement_request))


def result_url(dossier):
    return absolute(reverse("tracking:result_download", args=[make_token(RESULT, dossier.pk)]))


def rating_url(dossier):
    return absolute(reverse("tracking:rating", args=[make_token(RATING, dossier.pk)]))


def payment_path(dossier):
    """The payment page's address on this site (on-page links are relative: any host, any port)."""
    return reverse("payments:pay", args=[make_token(PAYMENT, dossier.pk)])


def payment_url(dossier):
    return absolute(payment_path(dossier))


def receipt_path(dossier):
    """The re-printable receipt, on any device: the way back for a citizen without an account."""
    return reverse("filing:receipt_link", args=[make_token(RECEIPT, dossier.pk)])


def receipt_url(dossier):
    return absolute(receipt_path(dossier))


def supplement_path(supplement_request):
    return reverse("tracking:supplement", args=[make_token(SUPPLEMENT, supplement_request.pk,
                                                           supplement_request.secret)])


def lookup_url(dossier):
    return absolute(dossier.get_lookup_url())


def status_path(dossier):
    """The citizen's own status link: the lookup with the second factor given, without a captcha."""
    return reverse("tracking:status_link", args=[make_token(STATUS, dossier.pk)])


def status_url(dossier):
    """``status_path`` as an absolute address, for the SMS and email sent to the applicant."""
    return absolute(status_path(dossier))
