"""The private files in the default storage against the rows that name them: orphans, backups, restores.

Every model's ``FileField`` (dossier attachments and results, draft uploads, form templates,
and any app's added later) keeps its files in Django's default storage, and this module only
speaks the Storage API (``listdir``, ``open``, ``save``, ``delete``, ``get_modified_time``),
so the same code works on the local disk and on the S3-compatible object store.

**Order of writes.** An upload is stored first and its row written after (``filing.wizard``,
``dossiers.services``); a removal deletes the row first and the file once that commits. A
process killed in between leaves a file without a row, never a row without its file; such
orphans are harmless until ``delete_orphan_files`` removes them once they are older than
``ORPHAN_FILE_MIN_AGE_HOURS`` (24), far longer than any upload takes to get its row.
"""

import logging
import posixpath
from datetime import timedelta

from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models
from django.utils import timezone

logger = logging.getLogger(__name__)


def walk(storage=None, top=""):
    """Every file name in ``storage`` under ``top``, recursively, through ``Storage.listdir``."""
    storage = storage or default_storage
    try:
        directories, files = storage.listdir(top)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield posixpath.join(top, name) if top else name
    for directory in sorted(directories):
        yield from walk(storage, posixpath.join(top, directory) if top else directory)


def file_fields():
    """``(model, field name)`` of every ``FileField`` on a concrete model of the installed apps."""
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                yield model, field.name


def referenced_names():
    """Names of the stored files some row points at (one set; about 100 bytes per file in memory)."""
    names = set()
    for model, field in file_fields():
        names.update(model._base_manager.exclude(**{field: ""}).values_list(field, flat=True).iterator(chunk_size=5000))
    return names


def delete_orphan_files(*, now=None, min_age=None, storage=None):
    """Delete stored files that no row names and that are older than ``min_age`` (default a day).

    Safe at any time and concurrently with uploads: a file younger than ``min_age`` is never
    touched, and the set of referenced names is read before the listing, so a row written
    meanwhile belongs to a file too young to be a candidate. Returns the names deleted.
    """
    storage = storage or default_storage
    now = now or timezone.now()
    min_age = min_age if min_age is not None else timedelta(hours=settings.ORPHAN_FILE_MIN_AGE_HOURS)
    referenced = referenced_names()
    deleted = []
    for name in walk(storage):
        if name in referenced:
            continue
        try:
            if now - storage.get_modified_time(name) < min_age:
                continue
            storage.delete(name)
        except FileNotFoundError:
            continue  # removed meanwhile
        deleted.append(name)
    if deleted:
        logger.warning("deleted %d stored files that no row refers to (e.g. %s)", len(deleted), deleted[0])
    return deleted
