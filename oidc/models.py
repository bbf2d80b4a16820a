"""Trusted Publishing: OIDC issuers (staff), trusted publishers (project Owners) and the `jti`
of every identity token already exchanged (so that each is accepted once, on every node)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from . import kinds


class OIDCIssuer(models.Model):
    """An identity provider whose tokens the index accepts. `url` is the token's `iss`, exactly."""

    name = models.SlugField(max_length=64, unique=True)
    url = models.CharField(
        "issuer URL",
        max_length=255,
        unique=True,
        help_text="The `iss` of its tokens; https:// (see OIDC_ALLOW_INSECURE_LOCAL_ISSUERS).",
    )
    kind = models.CharField(
        max_length=16, choices=kinds.CHOICES, help_text="Decides which claims a publisher of this issuer must pin."
    )
    enabled = models.BooleanField(default=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = "OIDC issuer"

    def __str__(self):
        return f"{self.name} ({self.url})"

    @property
    def kind_spec(self):
        return kinds.get(self.kind)

    def clean(self):
        from .issuers import check_issuer_url

        check_issuer_url(self.url)


class TrustedPublisher(models.Model):
    """A CI identity allowed to publish one project (or, pending, to create it on first use)."""

    issuer = models.ForeignKey(OIDCIssuer, on_delete=models.PROTECT, related_name="publishers")
    claims = models.JSONField(help_text="Pinned claim values; which keys depends on the issuer's kind.")
    lookup = models.CharField(
        max_length=255,
        db_index=True,
        editable=False,
        help_text="The kind's lookup claim, folded: an exchange reads only these rows.",
    )
    project = models.ForeignKey(
        "packages.Project", null=True, blank=True, on_delete=models.CASCADE, related_name="trusted_publishers"
    )
    pending_name = models.CharField(
        max_length=200,
        blank=True,
        db_index=True,
        help_text="Pending: the normalized name of the project it will create.",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="trusted_publishers_added",
        help_text="Pending publishers: this user becomes the new project's Owner.",
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(project__isnull=False, pending_name="")
                    | models.Q(project__isnull=True) & ~models.Q(pending_name="")
                ),
                name="publisher_has_project_or_pending_name",
            ),
        ]

    def __str__(self):
        return self.label

    @property
    def is_pending(self):
        return self.project_id is None

    @property
    def label(self):
        """e.g. "GitHub Actions: owner/repo release.yml" (shown on files and in the history)."""
        return f"{self.issuer.get_kind_display()}: {self.issuer.kind_spec.describe(self.claims)}"

    def save(self, *args, **kwargs):
        self.lookup = self.issuer.kind_spec.lookup_value(self.claims)
        super().save(*args, **kwargs)


class UsedJTI(models.Model):
    """The `jti` of an exchanged token, kept until the token expires (plus the leeway)."""

    issuer = models.ForeignKey(OIDCIssuer, on_delete=models.CASCADE, related_name="+")
    jti = models.CharField(max_length=255)
    expires = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = "used JTI"
        constraints = [models.UniqueConstraint(fields=["issuer", "jti"], name="jti_accepted_once")]
