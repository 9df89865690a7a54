"""Orphan uploaded files: a process killed between storing an upload and writing its row, then the clean-up.

Run against the local disk and against the S3-protocol server (moto), through the same
Storage API calls the portal makes.
"""

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from dossiers.models import DossierFile
from portal import stored_files
from portal.tasks import delete_orphan_files
from tests.factories import DossierFactory
from tests.fixtures.s3 import s3_server, s3_storage  # noqa: F401 - fixtures

PROJECT_DIR = Path(__file__).resolve().parents[2]

# Stores an upload exactly as the wizard does (the FileField's storage, the upload path),
# then dies before the row is written, as a worker killed by the OOM killer or a deploy would.
KILLED_BETWEEN_FILE_AND_ROW = """
import os, signal, sys
import django
django.setup()
from django.core.files.base import ContentFile
from dossiers.models import FilingDraftFile
upload = FilingDraftFile()
upload.file.save("to-khai.pdf", ContentFile(b"%PDF-1.4 half-written upload"), save=False)
print(upload.file.name, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
upload.save()  # never reached
"""


def store_and_get_killed(env):
    done = subprocess.run([sys.executable, "-c", KILLED_BETWEEN_FILE_AND_ROW], cwd=PROJECT_DIR, capture_output=True,
                          text=True, timeout=60, env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", **env})
    assert done.returncode == -signal.SIGKILL, done.stderr
    return done.stdout.strip()


def kept_file(dossier):
    name = default_storage.save("dossiers/2026/11/kept/giay-to.pdf", ContentFile(b"%PDF-1.4 kept"))
    DossierFile.objects.create(dossier=dossier, file=name, original_name="giay-to.pdf",
                               content_type="application/pdf", size=13)
    return name


def check_clean_up(orphan):
    kept = kept_file(DossierFactory())
    assert default_storage.exists(orphan)
    # A fresh orphan may be an upload whose row is being written right now: left alone.
    assert stored_files.delete_orphan_files() == []
    assert default_storage.exists(orphan)
    later = timezone.now() + timedelta(hours=25)
    assert stored_files.delete_orphan_files(now=later) == [orphan]
    assert not default_storage.exists(orphan)
    assert default_storage.exists(kept)
    assert stored_files.delete_orphan_files(now=later) == []


@pytest.mark.django_db(transaction=True)
def test_an_upload_killed_before_its_row_is_removed_a_day_later_on_disk(settings, tmp_path):
    root = tmp_path / "files"
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": root, "base_url": None}}}
    orphan = store_and_get_killed({"PRIVATE_FILES_ROOT": str(root)})
    assert (root / orphan).is_file()
    check_clean_up(orphan)


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_an_upload_killed_before_its_row_is_removed_a_day_later_on_the_object_store(s3_storage):  # noqa: F811
    orphan = store_and_get_killed(s3_storage.environment())
    assert s3_storage.keys() == [orphan]
    check_clean_up(orphan)
    assert s3_storage.keys() == ["dossiers/2026/11/kept/giay-to.pdf"]


@pytest.mark.django_db
def test_the_periodic_task_deletes_old_orphans(settings, tmp_path):
    root = tmp_path / "files"
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": root, "base_url": None}}}
    settings.ORPHAN_FILE_MIN_AGE_HOURS = 24
    orphan = default_storage.save("dossiers/2026/10/lost/to-khai.pdf", ContentFile(b"%PDF-1.4 lost"))
    two_days_ago = (timezone.now() - timedelta(days=2)).timestamp()
    os.utime(root / orphan, (two_days_ago, two_days_ago))
    kept = kept_file(DossierFactory())
    os.utime(root / kept, (two_days_ago, two_days_ago))
    assert delete_orphan_files.delay().get() == 1
    assert not (root / orphan).exists() and (root / kept).exists()
