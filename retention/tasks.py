"""Periodic task of the retention of personal data."""

from celery import shared_task

from . import services


@shared_task
def anonymise_expired_dossiers():
    """Anonymise closed dossiers past ``PERSONAL_DATA_RETENTION_YEARS`` (daily, ``CELERY_BEAT_SCHEDULE``).

    Idempotent: each dossier is anonymised once, in its own transaction, its files deleted
    after commit. Returns how many dossiers were anonymised.
    """
    return services.anonymise_expired_dossiers()
