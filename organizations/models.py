"""Organizations (pypi.org's model): a body that owns projects, people with roles in it, and teams
that carry project roles, so that access follows people joining and leaving.

A project belongs to at most one organization (`packages.Project.organization`); the strongest
of a user's own role, their teams' roles and (for the organization's Owners) Owner is what they
may do on it (`packages/permissions.py` owns that rule). Every change is written by
`organizations/services/` and recorded in `OrganizationEvent` (and, when it touches a project,
in the project's journal).
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from packages.models import Invitation, Project, Role


class OrganizationKind(models.TextChoices):
    COMMUNITY = "community", "Community"
    COMPANY = "company", "Company"


class Organization(models.Model):
    name = models.CharField(max_length=50, help_text="Follows project-name rules; shown in /org/<name>/.")
    normalized_name = models.CharField(
        max_length=50, unique=True, help_text="PEP 503 normalized name; never a project's normalized name."
    )
    display_name = models.CharField(max_length=100)
    url = models.URLField(max_length=400, blank=True)
    description = models.TextField(blank=True, max_length=400)
    kind = models.CharField(max_length=16, choices=OrganizationKind.choices, default=OrganizationKind.COMMUNITY)
    created = models.DateTimeField(default=timezone.now)
    is_frozen = models.BooleanField(default=False, help_text="Frozen by staff: its projects take no uploads.")
    frozen_reason = models.TextField(blank=True)
    private_capable = models.BooleanField(
        default=False, help_text="Set by staff: the organization's Owners may mark its projects private."
    )

    class Meta:
        ordering = ["normalized_name"]

    def __str__(self):
        return self.name


class OrganizationApplication(models.Model):
    """A user's request for an organization; staff approve (creating it) or decline it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        DECLINED = "declined", "Declined"

    name = models.CharField(max_length=50)
    normalized_name = models.CharField(max_length=50, db_index=True)
    display_name = models.CharField(max_length=100)
    url = models.URLField(max_length=400, blank=True)
    description = models.TextField(blank=True, max_length=400)
    kind = models.CharField(max_length=16, choices=OrganizationKind.choices, default=OrganizationKind.COMMUNITY)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organization_applications"
    )
    created = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    organization = models.OneToOneField(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="application"
    )

    class Meta:
        ordering = ["-created"]

    def __str__(self):
        return f"{self.name} ({self.get_status_display()})"


class OrganizationRole(models.Model):
    OWNER = "Owner"
    MANAGER = "Manager"
    MEMBER = "Member"
    ROLE_CHOICES = [(OWNER, "Owner"), (MANAGER, "Manager"), (MEMBER, "Member")]

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="roles")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organization_roles")
    role_name = models.CharField(max_length=16, choices=ROLE_CHOICES)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["organization", "role_name", "user"]
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="one_role_per_user_and_org")]

    def __str__(self):
        return f"{self.user} is {self.role_name} of {self.organization}"


class OrganizationInvitation(Invitation):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    invitee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organization_invitations"
    )
    role_name = models.CharField(max_length=16, choices=OrganizationRole.ROLE_CHOICES)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self):
        return f"{self.invitee} invited to {self.organization} as {self.role_name}"


class Team(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=50)
    normalized_name = models.CharField(max_length=50)
    created = models.DateTimeField(default=timezone.now)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="TeamMember", related_name="teams")

    class Meta:
        ordering = ["organization", "normalized_name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "normalized_name"], name="team_name_unique_in_org")
        ]

    def __str__(self):
        return f"{self.organization}/{self.name}"


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team")]

    def __str__(self):
        return f"{self.user} in {self.team}"


class TeamProjectRole(models.Model):
    """A team's role on one of its organization's projects: a project role (Owner or Maintainer)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="project_roles")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="team_roles")
    role_name = models.CharField(max_length=16, choices=Role.ROLE_CHOICES)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "project"], name="one_role_per_team_and_project")]

    def __str__(self):
        return f"{self.team} is {self.role_name} of {self.project}"


class OrganizationEvent(models.Model):
    """The organization's history page: one row per change, written by organizations/services.py."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="events")
    action = models.TextField()
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    time = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-time", "-id"]

    def __str__(self):
        return f"{self.organization}: {self.action}"
