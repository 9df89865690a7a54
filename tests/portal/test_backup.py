"""Backup and restore round trip: a backup of a running portal restored into a fresh database and storage.

The restored portal (another process, on the new database and the new storage) is asked
for the same dossiers, history and files, through its pages and through its storage.
"""

import hashlib
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import translation

from dossiers.models import DossierEvent, DossierFile
from portal.management.commands.backup_portal import Command as backup_command
from tests.fixtures.services import service_missing
from tests.tracking.helpers import clerk_of, filed_dossier, received

pytestmark = [pytest.mark.integration, pytest.mark.postgres]

PROJECT_DIR = Path(__file__).resolve().parents[2]

# Run by the restored portal: what it holds and what its pages serve.
READ_BACK = """
import hashlib, json
import django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from dossiers.models import Dossier, DossierFile
dossiers = {d.code: [(e.action, e.to_status) for e in d.events.order_by("created_at", "id")]
            for d in Dossier.objects.all()}
files = {}
for f in DossierFile.objects.select_related("dossier"):
    with f.file.open("rb") as handle:
        files[f.file.name] = hashlib.sha256(handle.read()).hexdigest()
admin = get_user_model().objects.create_superuser("khoi-phuc", "khoi-phuc@example.gov.vn", "mat-khau-khoi-phuc-1")
client = Client()
client.force_login(admin)
pages = {}
for f in DossierFile.objects.select_related("dossier"):
    response = client.get(reverse("admin:dossiers_dossier_file", args=[f.dossier_id, f.pk]))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    pages[f.file.name] = [response.status_code, hashlib.sha256(body).hexdigest()]
changes = {}
for d in Dossier.objects.all():
    response = client.get(reverse("admin:dossiers_dossier_change", args=[d.pk]))
    changes[d.code] = [response.status_code, d.code in response.content.decode()]
print(json.dumps({"dossiers": dossiers, "files": files, "pages": pages, "changes": changes}))
"""


def postgres_url(name):
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


@pytest.fixture
def fresh_database():
    """An empty PostgreSQL database of this test's own, dropped afterwards."""
    if connection.vendor != "postgresql":
        service_missing("backup and restore need PostgreSQL (set DATABASE_URL=postgres://…)")
    name = f"restore_{uuid.uuid4().hex[:12]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def portal_process(args, *, database, files_root, stdin=None):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "DATABASE_URL": postgres_url(database),
           "PRIVATE_FILES_ROOT": str(files_root), "S3_BUCKET": ""}
    return subprocess.run([sys.executable, *args], cwd=PROJECT_DIR, env=env, capture_output=True, text=True,
                          timeout=120, input=stdin)


def attach(dossier, name, content):
    stored = default_storage.save(f"dossiers/2026/11/{uuid.uuid4().hex}/{name}", ContentFile(content))
    return DossierFile.objects.create(dossier=dossier, file=stored, original_name=name,
                                      content_type="application/pdf", size=len(content))


@pytest.mark.django_db(transaction=True)
def test_a_backup_restored_into_a_fresh_database_and_storage_serves_the_same_portal(settings, tmp_path,
                                                                                      fresh_database):
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tmp_path / "files", "base_url": None}}}
    first = filed_dossier()
    second = filed_dossier()
    received(second, clerk_of(second.agency))
    contents = {attach(first, "to-khai.pdf", b"%PDF-1.4 to khai " + b"1" * 5000).file.name: None,
                attach(second, "giay-to.pdf", b"%PDF-1.4 giay to " + b"2" * 70000).file.name: None}
    for name in contents:
        with default_storage.open(name, "rb") as handle:
            contents[name] = hashlib.sha256(handle.read()).hexdigest()
    history = {d.code: [(e.action, e.to_status) for e in DossierEvent.objects.filter(dossier=d)
                        .order_by("created_at", "id")] for d in (first, second)}

    backup_dir = tmp_path / "sao-luu"
    call_command("backup_portal", str(backup_dir))
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert {entry["name"]: entry["sha256"] for entry in manifest["files"]} == contents

    # A fresh deployment: an empty database and an empty storage directory.
    restored_files = tmp_path / "restored-files"
    done = portal_process(["manage.py", "restore_portal", str(backup_dir)], database=fresh_database,
                          files_root=restored_files)
    assert done.returncode == 0, done.stderr
    assert "Đã khôi phục bản sao lưu" in done.stdout

    read_back = portal_process(["-c", READ_BACK], database=fresh_database, files_root=restored_files)
    assert read_back.returncode == 0, read_back.stderr
    served = json.loads(read_back.stdout.strip().splitlines()[-1])
    assert {code: [tuple(step) for step in steps] for code, steps in served["dossiers"].items()} == history
    assert served["files"] == contents
    assert served["pages"] == {name: [200, digest] for name, digest in contents.items()}
    assert served["changes"] == {first.code: [200, True], second.code: [200, True]}

    # Restoring again over the restored portal is refused: it never mixes two portals.
    again = portal_process(["manage.py", "restore_portal", str(backup_dir)], database=fresh_database,
                           files_root=restored_files)
    assert again.returncode != 0
    assert "chỉ khôi phục vào một cơ sở dữ liệu trống" in again.stderr


@pytest.mark.django_db(transaction=True)
def test_a_backup_never_overwrites_another(tmp_path):
    if connection.vendor != "postgresql":
        service_missing("backup and restore need PostgreSQL (set DATABASE_URL=postgres://…)")
    (tmp_path / "sao-luu").mkdir()
    with pytest.raises(CommandError, match="đã tồn tại"):
        call_command("backup_portal", str(tmp_path / "sao-luu"))
    # The messages are translated: an operator running the commands in English reads English.
    with translation.override("en"), pytest.raises(CommandError, match="already exists; choose a new directory"):
        backup_command().handle(target=str(tmp_path / "sao-luu"))


def test_the_images_pg_dump_is_the_major_version_of_the_compose_servers_postgresql():
    """backup_portal in the container runs the image's pg_dump, which refuses a newer server."""
    import re

    import yaml

    dockerfile = (PROJECT_DIR / "Dockerfile").read_text()
    compose = yaml.safe_load((PROJECT_DIR / "docker-compose.yml").read_text())
    server_image = compose["services"]["postgres"]["image"]
    server_major = re.fullmatch(r"postgres:(\d+)(\.\d+)*(-[a-z0-9.]+)?", server_image)
    assert server_major, f"the compose PostgreSQL image names no major version: {server_image}"
    [client_major] = re.findall(r"^ARG POSTGRES_MAJOR=(\d+)$", dockerfile, flags=re.MULTILINE)
    assert client_major == server_major.group(1)
    # The client is installed from PostgreSQL's repository by that number, and the build checks it.
    assert '"postgresql-client-${POSTGRES_MAJOR}"' in dockerfile
    assert "apt.postgresql.org/pub/repos/apt ${VERSION_CODENAME}-pgdg main" in dockerfile
    assert 'pg_dump --version | grep -q " ${POSTGRES_MAJOR}\\."' in dockerfile
