"""Download counts: per file, per day, per installer and Python version; folded into months
when older than DOWNLOAD_STATS_DAILY_DAYS; and how far each download log has been read."""

from django.db import models

from packages.models import File


class DailyDownloads(models.Model):
    file = models.ForeignKey(File, on_delete=models.CASCADE, related_name="daily_downloads")
    day = models.DateField()
    installer = models.CharField(max_length=40, blank=True)
    python = models.CharField(max_length=16, blank=True)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name_plural = "daily downloads"
        constraints = [models.UniqueConstraint(fields=["file", "day", "installer", "python"], name="one_daily_row")]
        indexes = [models.Index(fields=["day", "file"])]


class MonthlyDownloads(models.Model):
    file = models.ForeignKey(File, on_delete=models.CASCADE, related_name="monthly_downloads")
    month = models.DateField(help_text="The first day of the month.")
    installer = models.CharField(max_length=40, blank=True)
    python = models.CharField(max_length=16, blank=True)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name_plural = "monthly downloads"
        constraints = [models.UniqueConstraint(fields=["file", "month", "installer", "python"], name="one_monthly_row")]


class DownloadLogCursor(models.Model):
    """How far one download log file has been counted: its inode and the byte offset after the
    last counted line. Updated in the transaction that adds the counts, so a line is counted once."""

    path = models.CharField(max_length=1024, unique=True)
    inode = models.BigIntegerField(default=0)
    offset = models.BigIntegerField(default=0)
    updated = models.DateTimeField(auto_now=True)


class UpstreamDailyDownloads(models.Model):
    """Downloads of files proxied from an upstream index (no File row: keyed by project and
    filename, so the counts outlive the cached bytes)."""

    project = models.CharField(max_length=200, help_text="The normalized project name.")
    filename = models.CharField(max_length=255)
    day = models.DateField()
    installer = models.CharField(max_length=40, blank=True)
    python = models.CharField(max_length=16, blank=True)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name_plural = "upstream daily downloads"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "filename", "day", "installer", "python"], name="one_upstream_daily_row"
            )
        ]
        indexes = [models.Index(fields=["project", "day"])]


class UpstreamMonthlyDownloads(models.Model):
    project = models.CharField(max_length=200, help_text="The normalized project name.")
    filename = models.CharField(max_length=255)
    month = models.DateField(help_text="The first day of the month.")
    installer = models.CharField(max_length=40, blank=True)
    python = models.CharField(max_length=16, blank=True)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name_plural = "upstream monthly downloads"
        constraints = [
            models.UniqueConstraint(
                fields=["project", "filename", "month", "installer", "python"], name="one_upstream_monthly_row"
            )
        ]
