"""The dossier list as a file: CSV (streamed) or XLSX (openpyxl's write-only mode).

Both take the queryset of the list as the clerk filtered it (``DossierAdmin.export_view``
builds it through the admin's own changelist, so the scoping to the clerk's agencies,
the filters, the search and the order are the list's), and read it in chunks: memory
stays flat whatever the number of rows. The CSV goes out row by row as it is read; the
XLSX is written to a temporary file (a ZIP cannot be streamed before it is finished)
and then sent.
"""

import csv
import tempfile
from dataclasses import dataclass

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers import deadlines
from dossiers.workflow import CLOCK_RUNNING_STATUSES

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


def rows(queryset):
    """One list of cell values per dossier of ``queryset``, read ``CHUNK`` rows at a time."""
    calendar = deadlines.WorkingCalendar()
    today = timezone.localdate()
    queryset = queryset.select_related("procedure", "agency")
    for dossier in queryset.iterator(chunk_size=CHUNK):
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


def xlsx_response(queryset):
    """The rows as an XLSX workbook, written row by row in openpyxl's write-only mode."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(_("Hồ sơ")))
    sheet.append([str(title) for title in columns()])
    for number, row in enumerate(rows(queryset), start=1):
        if number > XLSX_MAX_ROWS:
            break
        sheet.append([_safe_cell(value) for value in row])
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    response = FileResponse(handle, as_attachment=True, filename=_filename("xlsx"),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Cache-Control"] = "private, no-store"
    return response


RESPONSES = {"csv": csv_response, "xlsx": xlsx_response}
