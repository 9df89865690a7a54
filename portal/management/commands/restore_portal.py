from django.core.management.base import BaseCommand, CommandError

from portal.backup import BackupError, restore


class Command(BaseCommand):
    help = ("Khôi phục một bản sao lưu của backup_portal vào cơ sở dữ liệu và kho lưu trữ tệp trống "
            "của triển khai này.")

    def add_arguments(self, parser):
        parser.add_argument("source", help="thư mục bản sao lưu")

    def handle(self, *args, source, **options):
        try:
            manifest = restore(source)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(
            f"Đã khôi phục bản sao lưu lúc {manifest['created_at']} với {len(manifest['files'])} tệp."))
