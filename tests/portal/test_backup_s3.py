"""Backup and restore on the object store: files read from one S3 bucket, restored into another.

The same round trip as ``test_backup.py``, with the portal's files on the S3-protocol server
(moto, tests/fixtures/s3.py): the backup reads them through the storage, the restored portal
(another process, a fresh database, a fresh empty bucket) serves the same files.
"""

import hashlib
import json
import os
import subprocess
import sys
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command

from dossiers.models import DossierFile
from tests.fixtures.s3 import S3Server, s3_server, s3_storage  # noqa: F401 - fixtures
from tests.portal.test_backup import PROJECT_DIR, READ_BACK, fresh_database, postgres_url  # noqa: F401
from tests.tracking.helpers import clerk_of, filed_dossier, received

pytestmark = [pytest.mark.integration, pytest.mark.postgres]


def restored_portal(args, *, database, store):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": postgres_url(database),
           **store.environment()}
    return subprocess.run([sys.executable, *args], cwd=PROJECT_DIR, env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.django_db(transaction=True)
def test_a_backup_of_the_object_store_restores_into_a_fresh_bucket(s3_storage, tmp_path,  # noqa: F811
                                                                   fresh_database):  # noqa: F811
    dossier = filed_dossier()
    received(dossier, clerk_of(dossier.agency))
    contents = {}
    for name, body in (("to-khai.pdf", b"%PDF-1.4 to khai " + b"1" * 6000),
                       ("giay-to.pdf", b"%PDF-1.4 giay to " + b"2" * 90000)):
        stored = default_storage.save(f"dossiers/2026/12/{uuid.uuid4().hex}/{name}", ContentFile(body))
        DossierFile.objects.create(dossier=dossier, file=stored, original_name=name,
                                   content_type="application/pdf", size=len(body))
        contents[stored] = hashlib.sha256(body).hexdigest()
    assert sorted(s3_storage.keys()) == sorted(contents)

    backup_dir = tmp_path / "sao-luu"
    call_command("backup_portal", str(backup_dir))
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert {entry["name"]: entry["sha256"] for entry in manifest["files"]} == contents

    fresh_store = S3Server(tmp_path / "moto-restored.log")
    try:
        done = restored_portal(["manage.py", "restore_portal", str(backup_dir)], database=fresh_database,
                               store=fresh_store)
        assert done.returncode == 0, done.stderr
        assert sorted(fresh_store.keys()) == sorted(contents)
        for name, digest in contents.items():
            assert hashlib.sha256(fresh_store.read(name)).hexdigest() == digest
        read_back = restored_portal(["-c", READ_BACK], database=fresh_database, store=fresh_store)
        assert read_back.returncode == 0, read_back.stderr
        served = json.loads(read_back.stdout.strip().splitlines()[-1])
        assert served["files"] == contents
        assert served["pages"] == {name: [200, digest] for name, digest in contents.items()}
    finally:
        fresh_store.stop()
