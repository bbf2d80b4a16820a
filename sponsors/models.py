"""Sponsors of the index: who, at which level, shown where and when."""

import hashlib

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.validators import URLValidator
from django.db import models
from django.utils import timezone

LINK_SCHEMES = ["http", "https"]


def media_storage():
    return storages["media"]


class SponsorLevel(models.Model):
    name = models.CharField(max_length=64, unique=True, help_text="e.g. Visionary, Sustainability, Supporter.")
    order = models.PositiveIntegerField(default=0, help_text="Lower levels are listed first.")

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class SponsorQuerySet(models.QuerySet):
    def active(self, day=None):
        day = day or timezone.now().date()
        return (
            self.filter(models.Q(active_from__isnull=True) | models.Q(active_from__lte=day))
            .filter(models.Q(active_until__isnull=True) | models.Q(active_until__gte=day))
            .select_related("level")
            .order_by("level__order", "level__name", "name")
        )


class Sponsor(models.Model):
    name = models.CharField(max_length=100)
    link_url = models.URLField(
        max_length=500, validators=[URLValidator(schemes=LINK_SCHEMES)], help_text="http or https only."
    )
    description = models.CharField(max_length=500, blank=True, help_text="Plain text, shown under the logo.")
    level = models.ForeignKey(SponsorLevel, on_delete=models.PROTECT, related_name="sponsors")
    logo_path = models.CharField(max_length=255, blank=True, editable=False)
    logo_type = models.CharField(max_length=32, blank=True, editable=False)
    in_footer = models.BooleanField(default=False, help_text="Shown in the footer of every page.")
    on_sponsors_page = models.BooleanField(default=True)
    on_home_page = models.BooleanField(default=False)
    active_from = models.DateField(null=True, blank=True)
    active_until = models.DateField(null=True, blank=True)

    objects = SponsorQuerySet.as_manager()

    class Meta:
        ordering = ["level__order", "name"]

    def __str__(self):
        return self.name

    def store_logo(self, logo):
        """Save checked logo bytes (sponsors.logos.check) under a content-addressed name."""
        digest = hashlib.sha256(logo.data).hexdigest()
        path = f"sponsors/{digest}.{logo.extension}"
        storage = media_storage()
        if not storage.exists(path):
            storage.save(path, ContentFile(logo.data))
        self.logo_path, self.logo_type = path, logo.content_type

    @property
    def logo_url(self):
        return f"/sponsors/logo/{self.logo_path.rsplit('/', 1)[-1]}" if self.logo_path else ""


class SponsorsPage(models.Model):
    """The text on /sponsors/ that says how to become a sponsor (one row)."""

    how_to_sponsor = models.TextField(blank=True, help_text="Plain text; blank lines separate paragraphs.")

    class Meta:
        verbose_name = "sponsors page text"
        verbose_name_plural = "sponsors page text"

    def __str__(self):
        return "Sponsors page text"
