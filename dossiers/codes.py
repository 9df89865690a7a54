"""Dossier codes (mã hồ sơ) in the national format ``V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX``.

The first part is the receiving agency's electronic identifier code, then the day in
Asia/Ho_Chi_Minh (yymmdd), then a 4-digit number counted per agency per day
(Circular 01/2018/TT-VPCP, Article 19), e.g. ``000.00.12.H26-241124-0001``.
"""

from django.db import transaction
from django.utils import timezone

from .models import DossierCodeSequence


def format_dossier_code(identifier_code, day, number):
    return f"{identifier_code}-{day:%y%m%d}-{number:04d}"


def next_dossier_code(agency, *, day=None):
    """Take the next number of ``agency`` for ``day`` (today by default) and return the code.

    Must run inside the transaction that creates the dossier: the sequence row stays
    locked until that transaction ends, so parallel submissions wait for each other and
    never share a number, and a submission that fails rolls its number back, so the
    numbers citizens see have no gaps.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("next_dossier_code() must run inside the dossier's transaction")
    day = day or timezone.localdate()
    # INSERT … ON CONFLICT DO NOTHING: the first submission of the day creates the row,
    # the others find it; then everyone queues on the row lock.
    DossierCodeSequence.objects.bulk_create([DossierCodeSequence(agency=agency, day=day)], ignore_conflicts=True)
    sequence = DossierCodeSequence.objects.select_for_update().get(agency=agency, day=day)
    sequence.last_number += 1
    sequence.save(update_fields=["last_number"])
    return format_dossier_code(agency.identifier_code, day, sequence.last_number)
