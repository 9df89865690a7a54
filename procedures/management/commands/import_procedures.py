from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from procedures.importing import ImportFileError, import_procedures, read_rows


def report_lines(report):
    """The import's report as lines of text (the admin page shows the same)."""
    lines = []
    if report.dry_run:
        lines.append(_("Chạy thử: không ghi gì vào cơ sở dữ liệu."))
    lines.append(_("Thêm mới %(created)d, cập nhật %(updated)d, không đổi %(unchanged)d thủ tục; "
                   "%(errors)d dòng lỗi.") % {"created": len(report.created), "updated": len(report.updated),
                                             "unchanged": len(report.unchanged), "errors": len(report.errors)})
    if report.sectors_created:
        lines.append(_("Lĩnh vực mới: %(names)s") % {"names": ", ".join(report.sectors_created)})
    lines += [f"+ {code}" for code in report.created]
    lines += [f"~ {code}: {', '.join(fields)}" for code, fields in report.updated.items()]
    lines += [_("Chưa công bố %(line)s") % {"line": line} for line in report.unpublished]
    lines += [str(error) for error in report.errors]
    if report.errors and not report.written and not report.dry_run:
        lines.append(_("Không nhập gì: hãy sửa các dòng lỗi (hoặc dùng --skip-invalid để bỏ qua chúng)."))
    return lines


class Command(BaseCommand):
    help = ("Import procedures from the national procedure database's export (CSV or XLSX): updates by code, "
            "creates missing sectors, one transaction; every bad row is reported with its line number.")

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv or .xlsx export")
        parser.add_argument("--dry-run", action="store_true", help="show what would change, write nothing")
        parser.add_argument("--skip-invalid", action="store_true",
                            help="import the valid rows even if some rows are bad (still one transaction)")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            rows = read_rows(path.name, path.read_bytes())
        except ImportFileError as error:
            raise CommandError(str(error)) from None
        report = import_procedures(rows, dry_run=options["dry_run"], skip_invalid=options["skip_invalid"])
        for line in report_lines(report):
            self.stdout.write(line)
        if report.errors and not report.written and not options["dry_run"]:
            raise CommandError(_("%(count)d dòng lỗi; không nhập gì.") % {"count": len(report.errors)})
