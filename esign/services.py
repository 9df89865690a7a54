"""Numbering and signing result documents (kết quả điện tử)."""

import logging

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ElectronicResult
from .signing import sign_pdf, signing_key_for

logger = logging.getLogger(__name__)

PDF = "application/pdf"


def next_result_code(dossier):
    """``<mã hồ sơ>-KQ<n>``: n counts this dossier's result documents from 1 (call under the dossier's lock)."""
    count = ElectronicResult.objects.filter(result_file__dossier=dossier).count()
    return f"{dossier.code}-KQ{count + 1}"


@transaction.atomic
def register_result(*, dossier, result_file):
    """Give ``result_file`` its result code and, if it is a PDF and a key is configured, sign it (PAdES).

    Runs inside ``dossiers.services.record_result``'s transaction, under its lock on the
    dossier, so codes never repeat. The signed file replaces the upload in the private
    storage; the unsigned one is deleted after commit. A PDF that cannot be signed raises
    ``ValidationError`` and the whole result is rolled back: a citizen never receives an
    unsigned copy of a result that should have been signed.
    """
    record = ElectronicResult(result_file=result_file, code=next_result_code(dossier))
    key = signing_key_for(dossier.agency)
    if key is not None and result_file.content_type == PDF:
        with result_file.file.open("rb") as handle:
            original = handle.read()
        signed_at = timezone.now()
        try:
            signature = sign_pdf(original, key, reason=_("Kết quả giải quyết hồ sơ %(code)s") % {"code": record.code},
                                 location=dossier.agency.name, signed_at=signed_at)
        except Exception as error:  # pyHanko raises many kinds for a PDF it cannot read
            logger.warning("could not sign the result of %s", dossier.code, exc_info=True)
            raise ValidationError(_("Không ký số được tệp kết quả (tệp PDF không hợp lệ hoặc chưa cấu hình chứng "
                                    "thư số). Kết quả chưa được ghi nhận.")) from error
        old_name = result_file.file.name
        new_name = default_storage.save(old_name.rsplit(".", 1)[0] + "-signed.pdf", ContentFile(signature.signed_pdf))
        result_file.file.name = new_name
        result_file.size = len(signature.signed_pdf)
        result_file.save(update_fields=["file", "size"])
        transaction.on_commit(lambda: default_storage.delete(old_name))
        record.signed_at = signature.signed_at
        record.signer_name = signature.signer_name[:255]
        record.signer_organisation = signature.signer_organisation[:255]
        record.certificate_serial = signature.certificate_serial[:80]
        record.certificate_sha256 = signature.certificate_sha256
    record.save()
    return record
