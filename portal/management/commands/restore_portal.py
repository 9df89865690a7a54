from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy, ngettext

from portal.backup import BackupError, restore


class Command(BaseCommand):
    help = gettext_lazy("Khôi phục một bản sao lưu của backup_portal vào cơ sở dữ liệu và kho lưu trữ tệp trống "
                        "của triển khai này.")

    def add_arguments(self, parser):
        parser.add_argument("source", help=gettext_lazy("thư mục bản sao lưu"))

    def handle(self, *args, source, **options):
        try:
            manifest = restore(source)
        except BackupError as error:
            raise CommandError(str(error)) from error
        count = len(manifest["files"])
        self.stdout.write(self.style.SUCCESS(ngettext(
            "Đã khôi phục bản sao lưu lúc %(created_at)s với %(count)s tệp.",
            "Đã khôi phục bản sao lưu lúc %(created_at)s với %(count)s tệp.",
            count) % {"created_at": manifest["created_at"], "count": count}))
