"""Staff moderation: the one place the admin and management commands change users and projects.

Project changes go through packages.services, so each writes a journal entry (the serial
mirrors follow). Every function also leaves a Django admin LogEntry when a staff actor is
known, so the admin's history shows who did what and why. Account changes (freeze, 2FA
reset) are recorded in the user's security history instead of the project journal.
"""
from django.contrib.admin.models import CHANGE, DELETION, LogEntry
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, SecurityEvent
from accounts.services import record_security_event

from . import services
from .models import File, ProhibitedProjectName, Project, ProjectReport, Release, Role
from .names import normalize_name


class ModerationError(Exception):
    """A staff action that can't be done; the message is shown to staff as is."""


def _require_reason(reason):
    reason = (reason or "").strip()
    if not reason:
        raise ModerationError("A reason is required.")
    return reason


def log_staff_action(actor, obj, message, flag=CHANGE):
    """Django admin LogEntry for `obj`; skipped only when no person is behind the action (scripts)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return LogEntry.objects.log_actions(actor.pk, [obj], flag, change_message=message, single_object=True)


# --- Users -----------------------------------------------------------------------------------


def _delete_sessions(user):
    """Delete the user's sessions (the auth backends also refuse frozen users on every request)."""
    doomed = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            doomed.append(session.pk)
    Session.objects.filter(pk__in=doomed).delete()
    return len(doomed)


@transaction.atomic
def freeze_user(user, actor, reason, request=None):
    """Freeze: no login, no upload; every session and API token is revoked."""
    reason = _require_reason(reason)
    if user.is_frozen:
        raise ModerationError(f"'{user.username}' is already frozen.")
    if actor is not None and actor.pk == user.pk:
        raise ModerationError("You cannot freeze your own account.")
    if user.is_superuser and actor is not None and not actor.is_superuser:
        raise ModerationError("Only a superuser can freeze a superuser.")
    user.is_frozen = True
    user.frozen_reason = reason
    user.frozen_at = timezone.now()
    user.save(update_fields=["is_frozen", "frozen_reason", "frozen_at"])
    revoked = ApiToken.objects.filter(user=user, revoked__isnull=True).update(revoked=timezone.now())
    sessions = _delete_sessions(user)
    record_security_event(user, SecurityEvent.Tag.ACCOUNT_FROZEN, request, reason=reason,
                          by=getattr(actor, "username", None), tokens_revoked=revoked)
    log_staff_action(actor, user, f"Froze account ({revoked} tokens, {sessions} sessions revoked): {reason}")
    return {"tokens": revoked, "sessions": sessions}


@transaction.atomic
def unfreeze_user(user, actor, reason, request=None):
    """Lift a freeze. Revoked tokens stay revoked: the user creates new ones."""
    reason = _require_reason(reason)
    if not user.is_frozen:
        raise ModerationError(f"'{user.username}' is not frozen.")
    user.is_frozen = False
    user.frozen_reason = ""
    user.frozen_at = None
    user.save(update_fields=["is_frozen", "frozen_reason", "frozen_at"])
    record_security_event(user, SecurityEvent.Tag.ACCOUNT_UNFROZEN, request, reason=reason,
                          by=getattr(actor, "username", None))
    log_staff_action(actor, user, f"Unfroze account: {reason}")


@transaction.atomic
def reset_two_factor(user, actor, reason, request=None):
    """Delete every 2FA method (TOTP, security keys, recovery codes) after staff checked identity."""
    from allauth.mfa.models import Authenticator

    reason = _require_reason(reason)
    deleted, _ = Authenticator.objects.filter(user=user).delete()
    if not deleted:
        raise ModerationError(f"'{user.username}' has no two-factor methods.")
    record_security_event(user, SecurityEvent.Tag.MFA_RESET, request, reason=reason,
                          by=getattr(actor, "username", None))
    log_staff_action(actor, user, f"Reset two-factor authentication: {reason}")
    return deleted


# --- Projects ---------------------------------------------------------------------------------


def quarantine_project(project, actor, reason):
    """Hide a project from every public API; its owners and staff still see it."""
    reason = _require_reason(reason)
    if project.is_quarantined:
        raise ModerationError(f"'{project.name}' is already quarantined.")
    with transaction.atomic():
        services.set_status(project, Project.Status.QUARANTINED, actor, reason)
        log_staff_action(actor, project, f"Quarantined: {reason}")
    return project


def release_from_quarantine(project, actor, reason):
    reason = _require_reason(reason)
    if not project.is_quarantined:
        raise ModerationError(f"'{project.name}' is not quarantined.")
    with transaction.atomic():
        services.set_status(project, Project.Status.ACTIVE, actor, reason)
        log_staff_action(actor, project, f"Released from quarantine: {reason}")
    return project


def remove_project(project, actor, reason):
    """Delete a project, its releases and files; filenames stay reserved (FilenameLog)."""
    reason = _require_reason(reason)
    with transaction.atomic():
        log_staff_action(actor, project, f"Removed project: {reason}", flag=DELETION)
        ProjectReport.objects.filter(project=project, status=ProjectReport.Status.OPEN).update(
            status=ProjectReport.Status.REMOVED, handled_by=_person(actor), handled_at=timezone.now()
        )
        services.delete_project(project, actor, reason)


def remove_release(release: Release, actor, reason):
    reason = _require_reason(reason)
    with transaction.atomic():
        log_staff_action(actor, release, f"Removed release: {reason}", flag=DELETION)
        services.delete_release(release, actor, reason)


def remove_file(file: File, actor, reason):
    reason = _require_reason(reason)
    with transaction.atomic():
        log_staff_action(actor, file, f"Removed file: {reason}", flag=DELETION)
        services.delete_file(file, actor, reason)


def _format_limit(value):
    return "default" if value is None else f"{value} bytes"


@transaction.atomic
def set_limits(project, actor, *, upload_limit, total_size_limit):
    """Change the per-file and total size limits (None = the site default)."""
    from django.conf import settings

    for label, value in (("File size limit", upload_limit), ("Total size limit", total_size_limit)):
        if value is not None and not (0 < value <= settings.UPLOAD_LIMIT_CAP):
            raise ModerationError(f"{label} must be between 1 and {settings.UPLOAD_LIMIT_CAP} bytes.")
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
    services.record(project, "set " + ", ".join(changes), user=_person(actor))
    log_staff_action(actor, project, "Set " + ", ".join(changes))
    return project


@transaction.atomic
def transfer_ownership(project, new_owner, actor, reason, *, keep_previous_as_maintainers=False):
    """Make `new_owner` the only Owner. Previous owners lose their role (or become Maintainers),
    and their tokens scoped to this project are revoked."""
    reason = _require_reason(reason)
    if new_owner.is_frozen or not new_owner.is_active:
        raise ModerationError(f"'{new_owner.username}' is frozen or inactive and can't own projects.")
    who = _person(actor)
    role = Role.objects.filter(project=project, user=new_owner).first()
    if role is None:
        services.add_role(project, new_owner, Role.OWNER, who)
    elif role.role_name != Role.OWNER:
        services.change_role(role, Role.OWNER, who)
    previous = list(Role.objects.select_related("user", "project")
                    .filter(project=project, role_name=Role.OWNER).exclude(user=new_owner))
    for old in previous:
        if keep_previous_as_maintainers:
            services.change_role(old, Role.MAINTAINER, who)
        else:
            services.remove_role(old, who)
            ApiToken.objects.filter(user=old.user, project=project, revoked__isnull=True).update(
                revoked=timezone.now()
            )
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
                name=raw, defaults={"comment": comment, "prohibited_by": _person(actor)}
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
    reason = _require_reason(reason)
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
                services.record(project, f"dismiss report #{report.pk}: {reason}", user=_person(actor))
        else:
            ProjectReport.objects.filter(project=project, status=ProjectReport.Status.OPEN).exclude(
                pk=report.pk
            ).update(status=status, handled_by=_person(actor), handled_at=timezone.now())
        report.status = status
        report.handled_by = _person(actor)
        report.handled_at = timezone.now()
        report.save(update_fields=["status", "handled_by", "handled_at"])
        log_staff_action(actor, report, f"{report.get_status_display()}: {reason}")
        if action == "quarantine" and not project.is_quarantined:
            quarantine_project(project, actor, f"report #{report.pk}: {reason}")
        elif action == "remove":
            remove_project(project, actor, f"report #{report.pk}: {reason}")
    return report


def _person(actor):
    """The actor as a user row (None for scripts), for FK fields."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        return actor
    return None
