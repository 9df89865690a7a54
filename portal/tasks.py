"""Periodic maintenance tasks of the portal as a whole."""

from celery import shared_task

from . import stored_files


@shared_task(ignore_result=True)
def delete_orphan_files():
    """Remove stored files no row refers to, older than ``ORPHAN_FILE_MIN_AGE_HOURS`` (Celery beat, daily).

    Left behind by a process killed between storing an upload and writing its row, or
    between deleting a row and its file; a younger file is never touched. Returns how many went.
    """
    return len(stored_files.delete_orphan_files())
