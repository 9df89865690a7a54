"""Recording a staff member's access to a citizen's personal data, and reading the trail."""

import csv

from django.utils import timezone

from dossiers.roles import AGENCY_LEADER
from procedures.models import Agency

from .context import current_actor
from .models import AuditAction, AuditEntry
from .recorder import write_entry


def record_dossier_access(request, dossier, *, downloaded_file=None):
    """Append who viewed ``dossier``'s personal data (its page in the back office), or downloaded one of
    its files (``downloaded_file``). Guarantees one entry per call for a signed-in staff member;
    writes nothing for anyone else (there is no one to hold to account).
    """
    if current_actor.get() is None:
        return None
    if downloaded_file is not None:
        return write_entry(action=AuditAction.DOWNLOAD, instance=dossier, agency_id=dossier.agency_id,
                           detail=f"{downloaded_file.original_name} (#{downloaded_file.pk})")
    return write_entry(action=AuditAction.VIEW, instance=dossier, agency_id=dossier.agency_id)


def may_read_trail(user):
    """Superusers read the whole trail; an agency's leader reads their agencies' entries."""
    if not user.is_active or not user.is_staff:
        return False
    return user.is_superuser or user.groups.filter(name=AGENCY_LEADER).exists()


def visible_entries(user):
    """The entries ``user`` may read: all for a superuser, their agencies' for a leader, none otherwise."""
    if not may_read_trail(user):
        return AuditEntry.objects.none()
    if user.is_superuser:
        return AuditEntry.objects.all()
    return AuditEntry.objects.filter(agency__in=Agency.objects.filter(staff=user).values("pk"))


EXPORT_COLUMNS = ["thoi_diem", "nguoi_thuc_hien", "dia_chi_ip", "thao_tac", "loai_du_lieu", "ma_doi_tuong",
                  "doi_tuong", "co_quan_id", "thay_doi", "chi_tiet"]


# Rows read per query by the export. Behind PgBouncer (transaction pooling,
# DISABLE_SERVER_SIDE_CURSORS) ``QuerySet.iterator()`` has no server-side cursor and loads every
# row at once; keyset pages by primary key keep memory flat whatever the size of the trail.
EXPORT_CHUNK_SIZE = 2000


def entries_in_chunks(entries, *, chunk_size=EXPORT_CHUNK_SIZE):
    """Yield ``entries`` in primary-key order (the order they were written: the table is append-only),
    ``chunk_size`` rows per query (``pk > last seen``, ``LIMIT chunk_size``: keyset pagination, no
    OFFSET, no cursor held open between queries), each row once.
    """
    entries = entries.select_related("content_type").order_by("pk")
    last_pk = None
    while True:
        page = entries if last_pk is None else entries.filter(pk__gt=last_pk)
        chunk = list(page[:chunk_size])
        yield from chunk
        if len(chunk) < chunk_size:
            return
        last_pk = chunk[-1].pk


class _Line:
    """A file-like target for ``csv.writer`` that hands back each line it is given."""

    def write(self, text):
        return text


def csv_lines(entries, *, chunk_size=EXPORT_CHUNK_SIZE):
    """The export as CSV text, line by line (UTF-8 with a BOM first, so a spreadsheet shows the
    Vietnamese right), reading the rows in keyset chunks: for a streaming response."""
    import json

    writer = csv.writer(_Line())
    yield "\ufeff" + writer.writerow(EXPORT_COLUMNS)
    for entry in entries_in_chunks(entries, chunk_size=chunk_size):
        yield writer.writerow([
            timezone.localtime(entry.at).isoformat(), entry.actor_username, entry.ip_address or "",
            entry.get_action_display(), entry.content_type.model if entry.content_type_id else "", entry.object_id,
            entry.object_repr, entry.agency_id or "", json.dumps(entry.changes, ensure_ascii=False), entry.detail,
        ])


def write_csv(entries, stream, *, chunk_size=EXPORT_CHUNK_SIZE):
    """Write ``entries`` as CSV to ``stream`` (see ``csv_lines``)."""
    for line in csv_lines(entries, chunk_size=chunk_size):
        stream.write(line)
