"""Dossier codes (mã hồ sơ) in the national format ``V1V2V3.Z1Z2.Y1Y2.MX1X2-YYMMDD-XXXX``.

The first part is the receiving agency's electronic identifier code, then the day in
Asia/Ho_Chi_Minh (yymmdd), then a 4-digit number counted per agency per day
(Circular 01/2018/TT-VPCP, Article 19), e.g. ``000.00.12.H26-241124-0001``.
"""

from django.db import connection, transaction
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
    # One statement (PostgreSQL and SQLite 3.35+): the first submission of the day creates the
    # row with number 1, the others add one to it. Either way the row stays locked until the
    # transaction ends, so parallel submissions queue on it.
    table = connection.ops.quote_name(DossierCodeSequence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (agency_id, day, last_number) VALUES (%s, %s, 1) "
            f"ON CONFLICT (agency_id, day) DO UPDATE SET last_number = {table}.last_number + 1 "
            "RETURNING last_number",
            [agency.pk, day],
        )
        number = cursor.fetchone()[0]
    return format_dossier_code(agency.identifier_code, day, number)
