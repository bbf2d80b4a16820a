"""Staff moderation of projects: the one place the admin and management commands change them.

Project changes go through packages.services, so each writes a journal entry (the serial
mirrors follow). Every function also leaves a Django admin LogEntry when a staff actor is
known (core/moderation.py), so the admin's history shows who did what and why. Account
moderation (freeze, 2FA reset) is in accounts/moderation.py.
"""

from django.contrib.admin.models import DELETION
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken
from core.moderation import ModerationError, log_staff_action, person, require_reason

from . import limits, services
from .models import File, ProhibitedProjectName, Project, ProjectReport, Release, Role
from .names import normalize_name

__all__ = [
    "ModerationError",
    "handle_report",
    "parse_names",
    "prohibit_names",
    "quarantine_project",
    "release_from_quarantine",
    "remove_file",
    "remove_project",
    "remove_release",
    "set_limits",
    "set_serve_upstream_files",
    "set_privacy",
    "transfer_ownership",
]


# --- Projects ---------------------------------------------------------------------------------


def quarantine_project(project, actor, reason):
    """Hide a project from every public API; its owners and staff still see it."""
    reason = require_reason(reason)
    if project.is_quarantined:
        raise ModerationError(f"'{project.name}' is already quarantined.")
    with transaction.atomic():
        services.set_status(project, Project.Status.QUARANTINED, actor, reason)
        log_staff_action(actor, project, f"Quarantined: {reason}")
    return project


def release_from_quarantine(project, actor, reason):
    reason = require_reason(reason)
    if not project.is_quarantined:
        raise ModerationError(f"'{project.name}' is not quarantined.")
    with transaction.atomic():
        services.set_status(project, Project.Status.ACTIVE, actor, reason)
        log_staff_action(actor, project, f"Released from quarantine: {reason}")
    return project


def set_privacy(project, private, actor, reason):
    """Staff make a project private (it must be in a private-capable organization) or public again."""
    reason = require_reason(reason)
    if project.is_private == private:
        raise ModerationError(f"'{project.name}' is already {'private' if private else 'public'}.")
    with transaction.atomic():
        try:
            services.set_private(project, private, actor, reason)
        except services.PrivacyRefused as exc:
            raise ModerationError(str(exc)) from None
        log_staff_action(actor, project, f"Made {'private' if private else 'public'}: {reason}")
    return project


def remove_project(project, actor, reason):
    """Delete a project, its releases and files; filenames stay reserved (FilenameLog)."""
    reason = require_reason(reason)
    with transaction.atomic():
        log_staff_action(actor, project, f"Removed project: {reason}", flag=DELETION)
        ProjectReport.objects.filter(project=project, status=ProjectReport.Status.OPEN).update(
            status=ProjectReport.Status.REMOVED, handled_by=person(actor), handled_at=timezone.now()
        )
        services.delete_project(project, actor, reason)


def remove_release(release: Release, actor, reason):
    reason = require_reason(reason)
    with transaction.atomic():
        log_staff_action(actor, release, f"Removed release: {reason}", flag=DELETION)
        services.delete_release(release, actor, reason)


def remove_file(file: File, actor, reason):
    reason = require_reason(reason)
    with transaction.atomic():
        log_staff_action(actor, file, f"Removed file: {reason}", flag=DELETION)
        services.delete_file(file, actor, reason)


def _format_limit(value):
    return "default" if value is None else f"{value} bytes"


@transaction.atomic
def set_limits(project, actor, *, upload_limit, total_size_limit):
    """Raise the per-file and total size limits (None = the site default; packages/limits.py)."""
    errors = limits.staff_value_errors(upload_limit=upload_limit, total_size_limit=total_size_limit)
    if errors:
        raise ModerationError(" ".join(f"{limits.LABELS[field]}: {message}" for field, message in errors.items()))
    changes = []
    if upload_limit != project.upload_limit:
        changes.append(f"upload limit {_format_limit(project.upload_limit)} -> {_format_limit(upload_limit)}")
    if total_size_limit != project.total_size_limit:
        changes.append(
            f"total size limit {_format_limit(project.total_size_limit)} -> {_format_limit(total_size_limit)}"
        )
    if not changes:
        return project
    project.upload_limit = upload_limit
    project.total_size_limit = total_size_limit
    project.save(update_fields=["upload_limit", "total_size_limit"])
    services.record(project, "set " + ", ".join(changes), user=person(actor))
    log_staff_action(actor, project, "Set " + ", ".join(changes))
    return project


@transaction.atomic
def set_serve_upstream_files(project, actor, enabled):
    """Let a local project's simple page also offer the upstream indexes' files for versions it
    lacks (local files first), or stop it. Off is the dependency-confusion rule: a local name is
    served alone. Journaled, so the project's serial (and its cached pages) move."""
    if project.serve_upstream_files == enabled:
        return project
    project.serve_upstream_files = enabled
    project.save(update_fields=["serve_upstream_files"])
    change = "also serve upstream files" if enabled else "stop serving upstream files"
    services.record(project, change, user=person(actor))
    log_staff_action(actor, project, change[0].upper() + change[1:])
    return project


@transaction.atomic
def transfer_ownership(project, new_owner, actor, reason, *, keep_previous_as_maintainers=False):
    """Make `new_owner` the only Owner. Previous owners lose their role (or become Maintainers),
    and their tokens scoped to this project are revoked."""
    reason = require_reason(reason)
    if new_owner.is_frozen or not new_owner.is_active:
        raise ModerationError(f"'{new_owner.username}' is frozen or inactive and can't own projects.")
    who = person(actor)
    role = Role.objects.filter(project=project, user=new_owner).first()
    if role is None:
        services.add_role(project, new_owner, Role.OWNER, who)
    elif role.role_name != Role.OWNER:
        services.change_role(role, Role.OWNER, who)
    previous = list(
        Role.objects.select_related("user", "project")
        .filter(project=project, role_name=Role.OWNER)
        .exclude(user=new_owner)
    )
    for old in previous:
        if keep_previous_as_maintainers:
            services.change_role(old, Role.MAINTAINER, who)
        else:
            services.remove_role(old, who)
            ApiToken.objects.filter(user=old.user, project=project, revoked__isnull=True).update(revoked=timezone.now())
    names = ", ".join(r.user.username for r in previous) or "nobody"
    services.record(project, f"transfer ownership from {names} to {new_owner.username}: {reason}", user=who)
    log_staff_action(actor, project, f"Transferred ownership from {names} to {new_owner.username}: {reason}")
    return previous


# --- Prohibited names -------------------------------------------------------------------------


def parse_names(text):
    """Names from free text: one per line or separated by commas/spaces; '#' starts a comment."""
    names = []
    for line in (text or "").splitlines():
        line = line.split("#", 1)[0]
        names.extend(part for part in line.replace(",", " ").split() if part)
    return names


def prohibit_names(names, actor, comment="", *, remove_existing=False):
    """Prohibit each name (normalized). Returns (added, already_prohibited, removed_projects)."""
    from .names import is_valid_name

    added, existing, removed = [], [], []
    for raw in names:
        if not is_valid_name(raw):
            raise ModerationError(f"'{raw}' is not a valid project name.")
    with transaction.atomic():
        for raw in dict.fromkeys(normalize_name(n) for n in names):
            row, created = ProhibitedProjectName.objects.get_or_create(
                name=raw, defaults={"comment": comment, "prohibited_by": person(actor)}
            )
            (added if created else existing).append(raw)
            if created:
                log_staff_action(actor, row, f"Prohibited name{': ' + comment if comment else ''}")
            project = Project.objects.filter(normalized_name=raw).first()
            if project is not None and remove_existing:
                remove_project(project, actor, f"name prohibited{': ' + comment if comment else ''}")
                removed.append(project.name)
    return added, existing, removed


# --- Reports ----------------------------------------------------------------------------------

REPORT_ACTIONS = {
    "quarantine": ProjectReport.Status.QUARANTINED,
    "remove": ProjectReport.Status.REMOVED,
    "dismiss": ProjectReport.Status.DISMISSED,
}


def handle_report(report, action, actor, reason):
    """Act on a report: quarantine or remove the project (closing its other open reports), or dismiss."""
    reason = require_reason(reason)
    if action not in REPORT_ACTIONS:
        raise ModerationError(f"Unknown report action '{action}'.")
    if report.status != ProjectReport.Status.OPEN:
        raise ModerationError(f"Report #{report.pk} was already handled ({report.get_status_display()}).")
    project = report.project
    if project is None and action != "dismiss":
        raise ModerationError(f"The project '{report.project_name}' no longer exists; dismiss the report instead.")
    with transaction.atomic():
        status = REPORT_ACTIONS[action]
        if action == "dismiss":
            if project is not None:
                services.record(project, f"dismiss report #{report.pk}: {reason}", user=person(actor))
        else:
            ProjectReport.objects.filter(project=project, status=ProjectReport.Status.OPEN).exclude(
                pk=report.pk
            ).update(status=status, handled_by=person(actor), handled_at=timezone.now())
        report.status = status
        report.handled_by = person(actor)
        report.handled_at = timezone.now()
        report.save(update_fields=["status", "handled_by", "handled_at"])
        log_staff_action(actor, report, f"{report.get_status_display()}: {reason}")
        if action == "quarantine" and not project.is_quarantined:
            quarantine_project(project, actor, f"report #{report.pk}: {reason}")
        elif action == "remove":
            remove_project(project, actor, f"report #{report.pk}: {reason}")
    return report
