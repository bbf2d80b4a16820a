from django.conf import settings
from django.core.management.base import BaseCommand

from stats.ingest import ingest


class Command(BaseCommand):
    help = (
        "Count new lines of the download logs (Django's own and nginx's JSON `downloads` log): incremental, "
        "survives log rotation, never counts a line twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--log", action="append", dest="logs", help="A log to read (default: DOWNLOAD_LOG_PATHS).")

    def handle(self, *args, logs, **options):
        for path, counted in ingest(logs or settings.DOWNLOAD_LOG_PATHS).items():
            self.stdout.write(f"{path}: {counted} downloads counted")
