"""Backing up the database and the private files together, and restoring them into an empty deployment.

A backup is a directory::

    database.dump      pg_dump's custom format
    files/<name>       every stored file a row of that dump names, under its storage name
    manifest.json      when, which PostgreSQL, and each file's size and SHA-256

**Consistent.** The database is dumped from one exported snapshot (``pg_export_snapshot`` in a
``REPEATABLE READ`` transaction, ``pg_dump --snapshot``), and the list of files to copy is read
in that same snapshot, so the files are exactly those the dumped rows name. Uploads are stored
before their rows are written (``portal.stored_files``), so every such file exists; one deleted
between the snapshot and its copy is reported, and the backup fails rather than lie.

Files are read and written through Django's default storage (the local disk or the object
store), so a backup taken on one restores onto the other. PostgreSQL only: ``pg_dump`` and
``pg_restore`` of the server's major version must be on the PATH.
"""

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import stored_files

MANIFEST = "manifest.json"
DUMP = "database.dump"
FILES = "files"


class BackupError(Exception):
    """The backup or the restore cannot be done as asked; nothing was changed where it says so."""


def _libpq_environment():
    db = connection.settings_dict
    # Behind PgBouncer the dump's and the restore's session settings (search_path '') would stay
    # on a pooled server connection for the next client: the tools talk to PostgreSQL itself.
    host = settings.DATABASE_DIRECT_HOST or db["HOST"] or "127.0.0.1"
    port = settings.DATABASE_DIRECT_PORT or db["PORT"] or 5432
    env = {**os.environ, "PGHOST": host, "PGPORT": str(port),
           "PGUSER": db["USER"] or "", "PGDATABASE": db["NAME"]}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _require_postgresql():
    if connection.vendor != "postgresql":
        raise BackupError(_("Sao lưu và khôi phục chỉ hỗ trợ PostgreSQL (DATABASE_URL=postgres://…)."))
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            raise BackupError(_("Không tìm thấy %(tool)s (gói postgresql-client).") % {"tool": tool})


def _sha256(handle):
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1024 * 1024), b""):
        digest.update(chunk)
    return digest.hexdigest()


def backup(target):
    """Write a consistent backup of the database and its files into the new directory ``target``.

    Returns the manifest. ``target`` must not exist yet (a backup never overwrites another).
    """
    _require_postgresql()
    target = Path(target)
    if target.exists():
        raise BackupError(_("%(target)s đã tồn tại; hãy chọn một thư mục mới cho bản sao lưu.") % {"target": target})
    target.mkdir(parents=True)
    (target / FILES).mkdir()
    files = []
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Must be the transaction's first statement: the snapshot pg_dump will share.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
        subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                        f"--file={target / DUMP}"], env=_libpq_environment(), check=True, capture_output=True)
        names = sorted(stored_files.referenced_names())
        missing = []
        for name in names:
            destination = target / FILES / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            try:
                with default_storage.open(name, "rb") as source, open(destination, "wb") as copy:
                    shutil.copyfileobj(source, copy, 1024 * 1024)
            except FileNotFoundError:
                missing.append(name)
                continue
            with open(destination, "rb") as written:
                files.append({"name": name, "size": destination.stat().st_size, "sha256": _sha256(written)})
    if missing:
        raise BackupError(_("%(count)s tệp được cơ sở dữ liệu nhắc tới không có trong kho lưu trữ "
                            "(ví dụ %(name)s); bản sao lưu không đầy đủ.") % {"count": len(missing), "name": missing[0]})
    manifest = {"created_at": timezone.now().isoformat(), "postgresql": server_version,
                "database": DUMP, "files": files}
    (target / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


def _database_is_empty():
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
        return cursor.fetchone()[0] == 0


def restore(source):
    """Restore the backup in ``source`` into this deployment's empty database and empty storage.

    Checks every file against the manifest first, then restores the database in one
    transaction (``pg_restore --single-transaction``), then the files under their own names.
    Refuses a database with tables or a storage with files: a restore never mixes two portals.
    Returns the manifest.
    """
    _require_postgresql()
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(_("%(source)s không phải là một bản sao lưu (%(manifest)s: %(error)s).")
                          % {"source": source, "manifest": MANIFEST, "error": error}) from error
    for entry in manifest["files"]:
        with open(source / FILES / entry["name"], "rb") as handle:
            if _sha256(handle) != entry["sha256"]:
                raise BackupError(_("Tệp %(name)s trong bản sao lưu đã bị thay đổi hoặc hỏng.") % {"name": entry["name"]})
    if not _database_is_empty():
        raise BackupError(_("Cơ sở dữ liệu đích đã có bảng; chỉ khôi phục vào một cơ sở dữ liệu trống."))
    if next(stored_files.walk(default_storage), None) is not None:
        raise BackupError(_("Kho lưu trữ tệp đích đã có tệp; chỉ khôi phục vào một kho trống."))
    connection.close()  # pg_restore works on its own connection; ours must not hold the empty schema
    done = subprocess.run(["pg_restore", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
                           f"--dbname={connection.settings_dict['NAME']}", str(source / manifest["database"])],
                          env=_libpq_environment(), capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(_("pg_restore thất bại: %(error)s") % {"error": done.stderr.strip()[-2000:]})
    for entry in manifest["files"]:
        with open(source / FILES / entry["name"], "rb") as handle:
            stored = default_storage.save(entry["name"], File(handle))
        if stored != entry["name"]:
            raise BackupError(_("Kho lưu trữ đổi tên %(name)s thành %(stored)s.") % {"name": entry["name"], "stored": stored})
    return manifest
