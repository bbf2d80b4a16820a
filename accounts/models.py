from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class User(AbstractUser):
    """A person with an account. Login is by username or any verified email (allauth)."""

    name = models.CharField("display name", max_length=100, blank=True)
    is_frozen = models.BooleanField(
        default=False, help_text="A frozen user cannot log in or upload; staff set this with a reason."
    )
    frozen_reason = models.TextField(blank=True)
    frozen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["username"]

    def __str__(self):
        return self.username

    @property
    def display_name(self):
        return self.name or self.username

    @property
    def initials(self):
        parts = (self.name or self.username).split()
        return "".join(p[0] for p in parts[:2]).upper() or "?"

    def has_verified_primary_email(self):
        known = self.__dict__.get("_has_verified_primary_email")  # set by authenticate_token
        if known is not None:
            return known
        from allauth.account.models import EmailAddress

        return EmailAddress.objects.filter(user=self, primary=True, verified=True).exists()

    def has_two_factor(self):
        from allauth.mfa.models import Authenticator

        return Authenticator.objects.filter(
            user=self, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        ).exists()


class ApiToken(models.Model):
    """An API token. Only a SHA-256 hash of its secret is stored; the token is shown once.

    Token text: `pypi-<key_id>_<secret>`. `key_id` is public and indexes the row; the secret
    has 256 bits of entropy, so a fast hash is the right tool (a slow KDF would only slow uploads).

    What a token may do is its `kind`; where, its scope columns:

    - `upload`: a user's upload token (made in the account settings); acts for `user`, on every
      project the user may upload to, on `project` only, or on `organization`'s projects only
      (where it may also create projects when its user is an Owner or Manager there).
    - `publisher`: minted by the Trusted Publishing exchange (oidc/); acts for `publisher`, not
      for a user (`user` is empty), restricted to the publisher's project (or the pending project
      it creates), for 15 minutes, and burnable by the client.

    - `read`: a user's read token, for pip and uv to install private projects; scoped to one
      `project` or one `organization` (exactly one), and acts only while its user can see them.
      The upload path accepts `upload` and `publisher` only (`Kind.UPLOADING`), so it never uploads.
    """

    class Kind(models.TextChoices):
        UPLOAD = "upload", "Upload token"
        PUBLISHER = "publisher", "Trusted publisher token"
        READ = "read", "Read token"

    UPLOADING = (Kind.UPLOAD, Kind.PUBLISHER)

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.UPLOAD)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text="Empty for tokens minted for a publisher.",
    )
    publisher = models.ForeignKey(
        "oidc.TrustedPublisher",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="tokens",
        help_text="The trusted publisher a minted token acts for.",
    )
    name = models.CharField(max_length=100)
    key_id = models.CharField(max_length=32, unique=True)
    secret_hash = models.CharField(max_length=64)
    project = models.ForeignKey(
        "packages.Project",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text="When set, the token can upload to (or, for a read token, read) this project only.",
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        help_text="The token's scope: the organization's projects (read and upload tokens).",
    )
    created = models.DateTimeField(default=timezone.now)
    expires = models.DateTimeField(null=True, blank=True)
    last_used = models.DateTimeField(null=True, blank=True)
    revoked = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="upload", user__isnull=False, publisher__isnull=True)
                    | models.Q(kind="publisher", user__isnull=True, publisher__isnull=False)
                    | models.Q(kind="read", user__isnull=False, publisher__isnull=True)
                ),
                name="token_acts_for_user_or_publisher",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(organization__isnull=True)
                    | models.Q(kind__in=["read", "upload"], organization__isnull=False, project__isnull=True)
                ),
                name="organization_scope_is_for_user_tokens_alone",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="read", organization__isnull=True, project__isnull=True),
                name="read_tokens_have_a_scope",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.user or self.publisher_id and 'trusted publisher'})"

    @property
    def scope_label(self):
        if self.organization_id:
            scope = f"Organization: {self.organization.name}"
        else:
            scope = f"Project: {self.project.name}" if self.project_id else "Entire account"
        return f"Read only, {scope[0].lower()}{scope[1:]}" if self.kind == self.Kind.READ else scope

    @property
    def is_expired(self):
        return self.expires is not None and self.expires <= timezone.now()

    @property
    def is_active(self):
        return self.revoked is None and not self.is_expired


class SecurityEvent(models.Model):
    """Per-account security history: logins, failures, password/email/2FA/token changes."""

    class Tag(models.TextChoices):
        LOGIN = "login", "Logged in"
        LOGIN_FAILED = "login_failed", "Failed login"
        LOGOUT = "logout", "Logged out"
        PASSWORD_CHANGED = "password_changed", "Password changed"
        PASSWORD_RESET = "password_reset", "Password reset"
        EMAIL_ADDED = "email_added", "Email added"
        EMAIL_REMOVED = "email_removed", "Email removed"
        EMAIL_VERIFIED = "email_verified", "Email verified"
        EMAIL_PRIMARY = "email_primary", "Primary email changed"
        MFA_ADDED = "mfa_added", "Two-factor method added"
        MFA_REMOVED = "mfa_removed", "Two-factor method removed"
        RECOVERY_CODES = "recovery_codes", "Recovery codes generated"
        TOKEN_CREATED = "token_created", "API token created"
        TOKEN_REVOKED = "token_revoked", "API token revoked"
        TOKEN_USED_FAILED = "token_failed", "API token refused"
        ACCOUNT_FROZEN = "account_frozen", "Account frozen"
        ACCOUNT_UNFROZEN = "account_unfrozen", "Account unfrozen"
        MFA_RESET = "mfa_reset", "Two-factor reset by staff"
        DISPLAY_NAME = "display_name", "Display name changed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="security_events")
    tag = models.CharField(max_length=32, choices=Tag.choices)
    time = models.DateTimeField(default=timezone.now, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-time", "-id"]

    def __str__(self):
        return f"{self.user} {self.tag} {self.time:%Y-%m-%d %H:%M}"
