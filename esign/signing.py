"""PAdES signatures of result PDFs with pyHanko, and their validation.

The certificate and key come from files named in the settings: an agency's own pair
(``RESULT_SIGNING_AGENCY_DIR/<mã định danh>.crt`` and ``.key``) when it has one, else
the portal's (``RESULT_SIGNING_CERT_FILE``, ``RESULT_SIGNING_KEY_FILE``). Nothing is
signed when neither is configured. The signature is PAdES baseline B-B (ETSI.CAdES.detached,
SHA-256); a time-stamp authority would make it B-T, and none is reachable from here.
"""

import hashlib
import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from asn1crypto import x509
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

FIELD_NAME = "ChuKyKetQua"


@dataclass(frozen=True)
class SigningKey:
    key_file: Path
    cert_file: Path


@dataclass(frozen=True)
class Signature:
    signed_pdf: bytes
    signer_name: str
    signer_organisation: str
    certificate_serial: str
    certificate_sha256: str
    signed_at: datetime


def signing_key_for(agency):
    """The key pair ``agency`` signs with, or None when signing is not configured."""
    directory = settings.RESULT_SIGNING_AGENCY_DIR
    if directory:
        cert, key = Path(directory) / f"{agency.identifier_code}.crt", Path(directory) / f"{agency.identifier_code}.key"
        if cert.is_file() and key.is_file():
            return SigningKey(key_file=key, cert_file=cert)
    if settings.RESULT_SIGNING_CERT_FILE and settings.RESULT_SIGNING_KEY_FILE:
        return SigningKey(key_file=Path(settings.RESULT_SIGNING_KEY_FILE),
                          cert_file=Path(settings.RESULT_SIGNING_CERT_FILE))
    return None


def _subject_part(certificate, name):
    return str(certificate.subject.native.get(name, "") or "")


def sign_pdf(pdf_bytes, key, *, reason, location, signed_at):
    # ``signed_at`` is what the portal records; pyHanko writes the same clock's time in the CMS.
    """Sign ``pdf_bytes`` with ``key``; returns the ``Signature`` (the signed file and who signed).

    Raises ``ImproperlyConfigured`` when the key or certificate cannot be loaded, and
    pyHanko's errors for a PDF it cannot sign (the caller rolls the upload back).
    """
    passphrase = settings.RESULT_SIGNING_KEY_PASSPHRASE.encode() or None
    signer = signers.SimpleSigner.load(str(key.key_file), str(key.cert_file), key_passphrase=passphrase)
    if signer is None:
        raise ImproperlyConfigured(f"cannot load the signing key {key.key_file} / certificate {key.cert_file}")
    certificate = signer.signing_cert
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason, location=location, name=_subject_part(certificate, "common_name") or None,
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes), strict=False)
    output = signers.sign_pdf(writer, meta, signer=signer)
    return Signature(
        signed_pdf=output.getvalue(),
        signer_name=_subject_part(certificate, "common_name"),
        signer_organisation=_subject_part(certificate, "organization_name"),
        certificate_serial=format(certificate.serial_number, "X"),
        certificate_sha256=hashlib.sha256(certificate.dump()).hexdigest(),
        signed_at=signed_at,
    )


@dataclass(frozen=True)
class Verdict:
    """What validating a signed PDF found: ``valid`` only if intact, trusted and covering the whole file."""

    intact: bool
    trusted: bool
    covers_whole_file: bool
    signer_name: str

    @property
    def valid(self):
        return self.intact and self.trusted and self.covers_whole_file


def validate_signed_pdf(pdf_bytes, trust_roots):
    """Validate the result signature of ``pdf_bytes`` against ``trust_roots`` (asn1crypto or PEM/DER bytes)."""
    roots = [root if isinstance(root, x509.Certificate) else _load_certificate(root) for root in trust_roots]
    reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
    if not reader.embedded_signatures:
        return Verdict(intact=False, trusted=False, covers_whole_file=False, signer_name="")
    embedded = reader.embedded_signatures[0]
    status = validate_pdf_signature(embedded, ValidationContext(trust_roots=roots))
    return Verdict(
        intact=bool(status.intact), trusted=bool(status.trusted),
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        signer_name=_subject_part(status.signing_cert, "common_name"),
    )


def _load_certificate(data):
    from asn1crypto import pem

    if pem.detect(data):
        _type, _headers, data = pem.unarmor(data)
    return x509.Certificate.load(data)
