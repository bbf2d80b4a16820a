from django.conf import settings
from django.core.management.base import BaseCommand

from stats.ingest import ingest
from stats.services import fold_old_days


class Command(BaseCommand):
    help = (
        "Do every pending download-statistics job now: count the download logs, then fold daily rows older "
        "than DOWNLOAD_STATS_DAILY_DAYS into monthly ones. The periodic scheduler runs it every minute."
    )

    def handle(self, *args, **options):
        counted = sum(ingest(settings.DOWNLOAD_LOG_PATHS).values())
        folded = fold_old_days()
        self.stdout.write(f"Counted {counted} downloads; folded {folded} daily rows into months.")
