from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy, ngettext

from portal.backup import BackupError, backup


class Command(BaseCommand):
    help = gettext_lazy("Sao lưu cơ sở dữ liệu và các tệp đính kèm cùng một thời điểm vào một thư mục mới "
                        "(pg_dump và kho lưu trữ tệp; xem portal/backup.py).")

    def add_arguments(self, parser):
        parser.add_argument("target", help=gettext_lazy("thư mục mới sẽ chứa bản sao lưu"))

    def handle(self, *args, target, **options):
        try:
            manifest = backup(target)
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = sum(entry["size"] for entry in manifest["files"])
        count = len(manifest["files"])
        self.stdout.write(self.style.SUCCESS(ngettext(
            "Đã sao lưu cơ sở dữ liệu và %(count)s tệp (%(size)s byte) vào %(target)s.",
            "Đã sao lưu cơ sở dữ liệu và %(count)s tệp (%(size)s byte) vào %(target)s.",
            count) % {"count": count, "size": size, "target": target}))
