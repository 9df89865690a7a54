"""The dossier list as a file: CSV (streamed) or XLSX (openpyxl's write-only mode).

Both take the queryset of the list as the clerk filtered it (``DossierAdmin.export_view``
builds it through the admin's own changelist, so the scoping to the clerk's agencies,
the filters and the search are the list's) and read it in keyset pages of ``CHUNK`` rows
by primary key (``pk > last`` … ``LIMIT``): each page is one short query, so memory stays
flat whatever the number of rows, and nothing needs a server-side cursor (which
``QuerySet.iterator()`` opens, and which a transaction-pooling PgBouncer does not keep
across statements). The rows come out in the order of their primary key, i.e. of filing.

The CSV goes out row by row as it is read. The XLSX is written to a temporary file (a ZIP
cannot be sent before it is finished): in the request up to ``inline_limit()`` rows, by the
Celery task ``backoffice.tasks.build_export`` above (``backoffice.models.ExportFile``).
"""

import csv
import tempfile
from dataclasses import dataclass

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers import deadlines
from dossiers.workflow import CLOCK_RUNNING_STATUSES

from .models import ExportFile, ExportStatus

CHUNK = 2000
# Excel's own limit, less the header row.
XLSX_MAX_ROWS = 1_048_575


@dataclass(frozen=True)
class Format:
    slug: str
    label: str


FORMATS = [Format("csv", "CSV"), Format("xlsx", "Excel (XLSX)")]


def columns():
    return [
        _("Mã hồ sơ"), _("Thủ tục"), _("Cơ quan tiếp nhận"), _("Người nộp"), _("Số điện thoại"),
        _("Trạng thái"), _("Ngày nộp"), _("Ngày tiếp nhận"), _("Ngày hẹn trả"), _("Còn lại (ngày làm việc)"),
        _("Ngày có kết quả"), _("Ngày trả kết quả"),
    ]


def _local(moment):
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


def inline_limit():
    """The most rows an XLSX is built with in the request; above, a task builds it."""
    return settings.BACKOFFICE_EXPORT_INLINE_ROWS


def expiry_hours():
    """How long a stored export may be downloaded."""
    return settings.BACKOFFICE_EXPORT_HOURS


def chunks(queryset, size=None):
    """``queryset``'s dossiers in lists of at most ``size``, by primary key, one keyset query each."""
    size = size or CHUNK
    queryset = queryset.select_related("procedure", "agency").order_by("pk")
    last = None
    while True:
        page = list((queryset if last is None else queryset.filter(pk__gt=last))[:size])
        if page:
            yield page
        if len(page) < size:
            return
        last = page[-1].pk


def rows(queryset, size=None):
    """One list of cell values per dossier of ``queryset``, read ``size`` rows at a time."""
    calendar = deadlines.WorkingCalendar()
    today = timezone.localdate()
    for page in chunks(queryset, size):
        for dossier in page:
            running = dossier.status in CLOCK_RUNNING_STATUSES and dossier.appointment_date
            yield [
                dossier.code, dossier.procedure.name, dossier.agency.name,
                dossier.organisation_name or dossier.applicant_name, dossier.applicant_phone,
                str(dossier.get_status_display()), _local(dossier.submitted_at), _local(dossier.received_at),
                dossier.appointment_date.strftime("%d/%m/%Y") if dossier.appointment_date else "",
                calendar.days_left(dossier.appointment_date, today) if running else "",
                _local(dossier.result_ready_at), _local(dossier.returned_at),
            ]


def _safe_cell(value):
    """A text cell a spreadsheet will not run as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in ("=", "@", "\t", "\r") or (
            isinstance(value, str) and value[:1] in ("+", "-") and not value[1:].isdigit()):
        return "'" + value
    return value


class _Echo:
    def write(self, value):
        return value


def _filename(extension):
    return f"ho-so-{timezone.localtime():%Y%m%d-%H%M}.{extension}"


def csv_response(queryset):
    """The rows as UTF-8 CSV with a byte-order mark (Excel then reads the diacritics right), streamed."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff" + writer.writerow([str(title) for title in columns()])
        for row in rows(queryset):
            yield writer.writerow([_safe_cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename("csv")}"'
    response["Cache-Control"] = "private, no-store"
    return response


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def write_xlsx(queryset, handle):
    """Write ``queryset``'s rows as an XLSX workbook to ``handle`` (write-only mode); return the rows written."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Hồ sơ")))
    sheet.append([str(title) for title in columns()])
    written = 0
    for row in rows(queryset):
        if written >= XLSX_MAX_ROWS:
            break
        sheet.append([_safe_cell(value) for value in row])
        written += 1
    workbook.save(handle)
    return written


def xlsx_response(queryset):
    """The rows as an XLSX workbook, written to a temporary file, then sent."""
    handle = tempfile.TemporaryFile()
    write_xlsx(queryset, handle)
    handle.seek(0)
    response = FileResponse(handle, as_attachment=True, filename=xlsx_filename(), content_type=XLSX_TYPE)
    response["Cache-Control"] = "private, no-store"
    return response


def xlsx_filename():
    return _filename("xlsx")


RESPONSES = {"csv": csv_response, "xlsx": xlsx_response}


# --- Large XLSX exports, built by a task ------------------------------------------------------------


def store_xlsx(export, queryset):
    """Write ``queryset`` as XLSX into ``export``'s file in the private storage; mark it ready."""
    with tempfile.TemporaryFile() as handle:
        written = write_xlsx(queryset, handle)
        handle.seek(0)
        export.file.save(xlsx_filename(), File(handle), save=False)
    export.row_count = written
    export.status = ExportStatus.READY
    export.save(update_fields=["file", "row_count", "status"])
    return export


def delete_expired_exports(*, now=None):
    """Delete the exports past their ``expires_at``: the row first, the file once that committed.

    A file left by a crash between the two has no row and goes with the orphan clean-up
    (``portal.stored_files``). Returns how many exports went.
    """
    expired = list(ExportFile.objects.filter(expires_at__lte=now or timezone.now()))
    for export in expired:
        name = export.file.name
        export.delete()
        if name:
            transaction.on_commit(lambda name=name: default_storage.delete(name))
    return len(expired)
