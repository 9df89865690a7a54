from django.core.management.base import BaseCommand, CommandError

from reporting.services import refresh_statistics


class Command(BaseCommand):
    help = "Recompute the public statistics (/thong-ke/) from the dossiers: the previous and current month, or --all."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="from the first dossier on")
        parser.add_argument("--since", help="from this month on, YYYY-MM")

    def handle(self, *args, **options):
        since = None
        if options["all"]:
            since = "all"
        elif options["since"]:
            try:
                year, month = (int(part) for part in options["since"].split("-"))
            except ValueError:
                raise CommandError("--since takes YYYY-MM") from None
            if not 1 <= month <= 12:
                raise CommandError("--since takes YYYY-MM")
            since = (year, month)
        months = refresh_statistics(since=since)
        self.stdout.write(f"{len(months)} month(s) recomputed")
