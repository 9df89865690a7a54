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


def write_csv(entries, stream):
    """Write ``entries`` as CSV (UTF-8 with a BOM, so a spreadsheet shows the Vietnamese right)."""
    import json

    stream.write("\ufeff")
    writer = csv.writer(stream)
    writer.writerow(EXPORT_COLUMNS)
    for entry in entries.select_related("content_type").iterator(chunk_size=2000):
        writer.writerow([
            timezone.localtime(entry.at).isoformat(), entry.actor_username, entry.ip_address or "",
            entry.get_action_display(), entry.content_type.model if entry.content_type_id else "", entry.object_id,
            entry.object_repr, entry.agency_id or "", json.dumps(entry.changes, ensure_ascii=False), entry.detail,
        ])
