"""Periodic tasks of the filing wizard."""

from celery import shared_task

from . import wizard


@shared_task
def delete_expired_drafts():
    """Delete filing-wizard drafts past ``WIZARD_DRAFT_HOURS`` of inactivity and their unsubmitted uploads.

    Safe to run at any time and any number of times: submitted dossiers' files are never
    touched. Scheduled hourly (``CELERY_BEAT_SCHEDULE``). Returns how many drafts went.
    """
    return wizard.delete_expired_drafts()
