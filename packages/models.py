"""Projects, releases, files, roles and the journal.

Every change that a client or mirror can see goes through packages.services, which writes
a JournalEntry in the same transaction and sets Project.last_serial to that entry's id.
"""

from functools import cached_property, lru_cache

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from packaging.version import InvalidVersion, Version

from .fts import SearchGinIndex
from .managers import ProjectQuerySet, ReleaseQuerySet
from .names import normalize_name, ultranormalize_name
from .storage import file_url_path


class Project(models.Model):
    class Status(models.TextChoices):
        # PEP 792 project status markers.
        ACTIVE = "active", "Active"
        ARCHIVED = "archived", "Archived"
        DEPRECATED = "deprecated", "Deprecated"
        QUARANTINED = "quarantined", "Quarantined"

    name = models.CharField(max_length=200, help_text="The name as first uploaded.")
    normalized_name = models.CharField(max_length=200, unique=True, help_text="PEP 503 normalized name.")
    ultranormalized_name = models.CharField(
        max_length=200, db_index=True, help_text="Name folded for confusable-name checks (l/1/I, o/0, separators)."
    )
    created = models.DateTimeField(default=timezone.now, db_index=True)
    last_serial = models.BigIntegerField(default=0, help_text="Id of this project's newest journal entry.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    status_reason = models.TextField(blank=True)
    # Staff raise these for a project; packages/limits.py says what limit applies.
    upload_limit = models.BigIntegerField(null=True, blank=True, help_text="Per-file size limit in bytes.")
    total_size_limit = models.BigIntegerField(null=True, blank=True, help_text="Total project size limit in bytes.")
    total_size = models.BigIntegerField(default=0, help_text="Sum of the sizes of the project's files.")
    # Staff only (packages/moderation.py): off, a local name is served alone (the dependency-confusion rule).
    serve_upstream_files = models.BooleanField(
        default=False,
        help_text="Also serve the upstream indexes' files for versions this project lacks (local files first).",
    )
    # The organization that owns the project (organizations/); only its projects can be private,
    # and packages/permissions.py is the one rule for who sees a private project.
    organization = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="projects"
    )
    is_private = models.BooleanField(
        default=False, help_text="Only people with a role on it or in its organization see it (else a 404)."
    )
    # Name + latest release's summary/keywords/description, kept up to date by packages.search (PostgreSQL only).
    search_vector = SearchVectorField(null=True, blank=True, editable=False)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["normalized_name"]
        indexes = [SearchGinIndex(fields=["search_vector"], name="project_search_gin")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.normalized_name = normalize_name(self.name)
        self.ultranormalized_name = ultranormalize_name(self.name)
        super().save(*args, **kwargs)

    @property
    def is_quarantined(self):
        return self.status == self.Status.QUARANTINED

    def owners(self):
        return [role.user for role in self.roles.select_related("user") if role.role_name == Role.OWNER]


class Classifier(models.Model):
    name = models.CharField(max_length=255, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Release(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="releases")
    version = models.CharField(max_length=100, help_text="The version as uploaded.")
    canonical_version = models.CharField(max_length=100, help_text="PEP 440 canonical form.")
    is_prerelease = models.BooleanField(default=False)
    created = models.DateTimeField(default=timezone.now, db_index=True)
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    yanked = models.BooleanField(default=False)
    yanked_reason = models.TextField(blank=True)

    # Core metadata (https://packaging.python.org/specifications/core-metadata/).
    metadata_version = models.CharField(max_length=10, blank=True)
    summary = models.CharField(max_length=512, blank=True)
    description = models.TextField(blank=True)
    description_content_type = models.CharField(max_length=128, blank=True)
    description_html = models.TextField(
        blank=True,
        editable=False,
        help_text="The description rendered and sanitized once, at upload (core/readme.py); pages show this.",
    )
    keywords = models.TextField(blank=True)
    home_page = models.TextField(blank=True)
    download_url = models.TextField(blank=True)
    author = models.TextField(blank=True)
    author_email = models.TextField(blank=True)
    maintainer = models.TextField(blank=True)
    maintainer_email = models.TextField(blank=True)
    license = models.TextField(blank=True)
    license_expression = models.TextField(blank=True)
    license_files = models.JSONField(default=list, blank=True)
    platform = models.JSONField(default=list, blank=True)
    supported_platform = models.JSONField(default=list, blank=True)
    classifiers = models.ManyToManyField(Classifier, blank=True, related_name="releases")
    project_urls = models.JSONField(default=dict, blank=True, help_text="Label -> URL.")
    requires_python = models.CharField(max_length=255, blank=True)
    requires_dist = models.JSONField(default=list, blank=True)
    provides_extra = models.JSONField(default=list, blank=True)
    requires_external = models.JSONField(default=list, blank=True)
    provides_dist = models.JSONField(default=list, blank=True)
    obsoletes_dist = models.JSONField(default=list, blank=True)
    dynamic = models.JSONField(default=list, blank=True)

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["project", "-created"]
        constraints = [
            models.UniqueConstraint(fields=["project", "canonical_version"], name="unique_release_per_project")
        ]

    def __str__(self):
        return f"{self.project.name} {self.version}"

    @cached_property
    def parsed_version(self):
        return safe_version(self.version)

    @property
    def classifier_names(self):
        return sorted(c.name for c in self.classifiers.all())


# Version objects are immutable, and pages and the search index parse the same strings again
# and again (every release of a project on each of its new releases).
@lru_cache(maxsize=8192)
def safe_version(text):
    try:
        return Version(text)
    except InvalidVersion:  # only possible for rows written outside the services
        return Version("0")


def latest_key(yanked, is_prerelease, version: Version):
    """pypi.org's "latest": not yanked first, then final releases first, then the highest version."""
    return (not yanked, not is_prerelease, version)


def latest_release(releases):
    releases = list(releases)
    if not releases:
        return None
    return max(releases, key=lambda r: latest_key(r.yanked, r.is_prerelease, r.parsed_version))


class File(models.Model):
    class PackageType(models.TextChoices):
        SDIST = "sdist", "Source"
        WHEEL = "bdist_wheel", "Wheel"

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="files")
    filename = models.CharField(max_length=255, unique=True)
    packagetype = models.CharField(max_length=16, choices=PackageType.choices)
    python_version = models.CharField(max_length=64, help_text="'source' for sdists, else the wheel's python tag.")
    size = models.BigIntegerField()
    md5_digest = models.CharField(max_length=32)
    sha256_digest = models.CharField(max_length=64, unique=True)
    blake2_256_digest = models.CharField(max_length=64, unique=True)
    path = models.CharField(max_length=512, unique=True, help_text="Path inside the package storage.")
    upload_time = models.DateTimeField(default=timezone.now, db_index=True)
    uploader = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    metadata_sha256 = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the PEP 658 .metadata file; empty when there is none."
    )
    metadata_blake2_256 = models.CharField(max_length=64, blank=True)
    published_by = models.CharField(
        max_length=255, blank=True, help_text="The trusted publisher that uploaded it (then uploader is empty)."
    )
    provenance_sha256 = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of its PEP 740 provenance document; empty when there is none."
    )

    class Meta:
        ordering = ["filename"]

    def __str__(self):
        return self.filename

    @property
    def has_metadata(self):
        return bool(self.metadata_sha256)

    @property
    def metadata_path(self):
        return f"{self.path}.metadata"

    @property
    def url_path(self):
        return file_url_path(self.path)


class FileProvenance(models.Model):
    """A file's PEP 740 provenance (verified attestations and their publisher), kept as the exact
    bytes served at /integrity/<project>/<version>/<filename>/provenance."""

    file = models.OneToOneField(File, on_delete=models.CASCADE, related_name="provenance", primary_key=True)
    document = models.TextField()

    def __str__(self):
        return f"provenance of {self.file_id}"


class FilenameLog(models.Model):
    """Every filename ever accepted, kept after deletion so that no filename is ever reused."""

    filename = models.CharField(max_length=255, unique=True)
    created = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.filename


class Role(models.Model):
    OWNER = "Owner"
    MAINTAINER = "Maintainer"
    ROLE_CHOICES = [(OWNER, "Owner"), (MAINTAINER, "Maintainer")]

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="roles")
    role_name = models.CharField(max_length=16, choices=ROLE_CHOICES)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project", "role_name", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "project"], name="one_role_per_user_and_project")]

    def __str__(self):
        return f"{self.user} is {self.role_name} of {self.project}"


class Invitation(models.Model):
    """What every invitation has (project ones here, organization ones in organizations/): a
    mailed token, an expiry and a life cycle; the mechanics are packages/services/invitations.py."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        REVOKED = "revoked", "Revoked"
        EXPIRED = "expired", "Expired"

    token = models.CharField(max_length=64, unique=True)
    created = models.DateTimeField(default=timezone.now)
    expires = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)

    class Meta:
        abstract = True
        ordering = ["-created"]

    @property
    def is_expired(self):
        return self.expires <= timezone.now()


class RoleInvitation(Invitation):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="invitations")
    invitee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    role_name = models.CharField(max_length=16, choices=Role.ROLE_CHOICES)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="sent_invitations"
    )

    def __str__(self):
        return f"{self.invitee} invited to {self.project} as {self.role_name}"


class JournalEntry(models.Model):
    """The audit log. Its id is the serial that mirrors follow (changelog_since_serial)."""

    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.SET_NULL, related_name="journal")
    name = models.CharField(max_length=200, db_index=True, help_text="Project name, kept after deletion.")
    version = models.CharField(max_length=100, blank=True)
    action = models.TextField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="journal_entries"
    )
    submitted_date = models.DateTimeField(default=timezone.now, db_index=True)
    is_private = models.BooleanField(
        default=False,
        help_text="An entry of a private project: left out of the mirrors' changelog, also once the "
        "project is deleted (packages.services.set_private keeps it in step).",
    )

    class Meta:
        ordering = ["-id"]
        verbose_name_plural = "journal entries"

    def __str__(self):
        return f"#{self.id} {self.name} {self.version} {self.action}"


class ProhibitedProjectName(models.Model):
    name = models.CharField(max_length=200, unique=True, help_text="Normalized name that can't be registered.")
    comment = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)
    prohibited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.name = normalize_name(self.name)
        super().save(*args, **kwargs)


class ProjectReport(models.Model):
    """A user's report of malware or spam: it lands in the staff queue in the admin."""

    class Kind(models.TextChoices):
        MALWARE = "malware", "Malware"
        SPAM = "spam", "Spam"
        OTHER = "other", "Other abuse"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        QUARANTINED = "quarantined", "Project quarantined"
        REMOVED = "removed", "Project removed"
        DISMISSED = "dismissed", "Dismissed"

    project = models.ForeignKey(Project, null=True, on_delete=models.SET_NULL, related_name="reports")
    project_name = models.CharField(max_length=200)
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    summary = models.TextField()
    created = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN, db_index=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.get_kind_display()} report on {self.project_name}"


class AdminFlag(models.Model):
    """Kill switches staff turn on in the admin (see packages.flags for the known ids)."""

    id = models.CharField(max_length=64, primary_key=True)
    description = models.TextField()
    enabled = models.BooleanField(default=False)
    notify = models.BooleanField(default=False, help_text="Show a banner on the web site while enabled.")

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.id
