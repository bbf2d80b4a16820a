"""Upstream indexes this index proxies, and what it cached from them (README "Upstream indexes")."""

from django.db import models
from django.utils import timezone


class UpstreamIndex(models.Model):
    name = models.SlugField(max_length=50, unique=True, help_text="Short name, shown in file URLs.")
    url = models.URLField(max_length=500, help_text="Simple API base URL, e.g. https://pypi.org/simple/")
    username = models.CharField(max_length=200, blank=True)
    password = models.CharField(max_length=200, blank=True)
    priority = models.IntegerField(default=100, help_text="Lower is asked first.")
    enabled = models.BooleanField(default=True)

    class Meta:
        ordering = ["priority", "name"]
        verbose_name_plural = "upstream indexes"

    def __str__(self):
        return self.name


class UpstreamProject(models.Model):
    """The last page an upstream gave for a name (or that none knew it: a miss). A name held here
    (not a miss) cannot be claimed by a local upload until staff set released_for_local."""

    normalized_name = models.CharField(max_length=200, unique=True)
    upstream = models.CharField(max_length=50, blank=True, help_text="The upstream that answered (blank: a miss).")
    is_miss = models.BooleanField(default=False)
    files = models.JSONField(default=list, blank=True)
    versions = models.JSONField(default=list, blank=True)
    fetched_at = models.DateTimeField(default=timezone.now, help_text="When the upstream last confirmed this page.")
    # What the upstream said of its page, for the conditional GET that revalidates it.
    etag = models.CharField(max_length=200, blank=True)
    upstream_serial = models.BigIntegerField(null=True, blank=True, help_text="The page's X-PyPI-Last-Serial.")
    # The upstream's JSON API `info` for the project (empty: not fetched, or it has no JSON API).
    info = models.JSONField(default=dict, blank=True)
    info_fetched_at = models.DateTimeField(null=True, blank=True)
    # When an upstream first served the name here: what /simple/ lists changed then (upstream/listing.py).
    listed_at = models.DateTimeField(null=True, blank=True, db_index=True)
    released_for_local = models.BooleanField(
        default=False,
        help_text="Staff released this name: a local upload may now create it (and then hides the upstream's files).",
    )

    class Meta:
        ordering = ["normalized_name"]

    def __str__(self):
        return self.normalized_name


class UpstreamFile(models.Model):
    """A file (or PEP 658 metadata file) of an upstream project held in this index's package
    storage: written once its bytes matched the sha256 the page promised (upstream/streaming.py)."""

    path = models.CharField(max_length=500, unique=True, help_text="Where it is in package storage.")
    normalized_name = models.CharField(max_length=200, db_index=True)
    upstream = models.CharField(max_length=50)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64, help_text="The digest of these bytes (checked when stored).")
    size = models.BigIntegerField()
    is_metadata = models.BooleanField(default=False)
    stored_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Moved at most once a day per file (upstream/retention.py touch()), never per download:
    # the retention policy evicts by it, least recently downloaded first.
    last_downloaded_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["normalized_name", "filename"]

    def __str__(self):
        return self.filename
