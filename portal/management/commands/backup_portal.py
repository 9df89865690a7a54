from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, backup


class Command(BaseCommand):
    help = ("Sao lưu cơ sở dữ liệu và các tệp đính kèm cùng một thời điểm vào một thư mục mới "
            "(pg_dump và kho lưu trữ tệp; xem portal/backup.py).")

    def add_arguments(self, parser):
        parser.add_argument("target", help="thư mục mới sẽ chứa bản sao lưu")

    def handle(self, *args, target, **options):
        try:
            manifest = backup(target)
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = sum(entry["size"] for entry in manifest["files"])
        self.stdout.write(self.style.SUCCESS(
            f"Đã sao lưu cơ sở dữ liệu và {len(manifest['files'])} tệp ({size} byte) vào {target}."))
