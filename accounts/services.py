"""Account operations shared by views, the admin and management commands."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from django.db import transaction

from core.clientip import client_ip

from .models import SecurityEvent, User

if TYPE_CHECKING:
    from django.http import HttpRequest

    from organizations.models import Organization
    from packages.models import Project

    from .models import ApiToken
    from .tokens import IssuedToken


def sync_user_email(user_id: int) -> None:
    """Set User.email to the account's verified primary address (empty when it has none)."""
    verified = EmailAddress.objects.filter(user_id=user_id, primary=True, verified=True)
    email = verified.values_list("email", flat=True).first() or ""
    User.objects.filter(pk=user_id).exclude(email=email).update(email=email)


def record_security_event(user: User, tag: str, request: HttpRequest | None = None, **details: Any) -> SecurityEvent:
    return SecurityEvent.objects.create(
        user=user,
        tag=tag,
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""),
        details=details,
    )


@transaction.atomic
def create_user(
    username: str,
    email: str,
    password: str,
    *,
    name: str = "",
    is_staff: bool = False,
    is_superuser: bool = False,
    verified: bool = True,
) -> User:
    """Create a user with a primary email address (verified unless told otherwise)."""
    user = User(username=username, email=email, name=name, is_staff=is_staff, is_superuser=is_superuser)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    if email:
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    return user


def notify(user: User, template_prefix: str, request: HttpRequest | None = None, **context: Any) -> None:
    """Mail a security notice to the user's primary address (through the mail actor)."""
    from allauth.account.adapter import get_adapter

    get_adapter(request).send_notification_mail(template_prefix, user, context)


def change_display_name(user: User, name: str, request: HttpRequest | None = None) -> bool:
    old = user.name
    if name == old:
        return False
    user.name = name
    user.save(update_fields=["name"])
    record_security_event(user, SecurityEvent.Tag.DISPLAY_NAME, request, old=old, new=name)
    return True


@transaction.atomic
def create_api_token(
    user: User,
    name: str,
    *,
    project: Project | None = None,
    organization: Organization | None = None,
    read: bool = False,
    expires: datetime | None = None,
    request: HttpRequest | None = None,
) -> IssuedToken:
    """Issue a token (an upload token, or with `read` a read token; either scoped to `project` or
    `organization`), record it in the security history and tell the owner by mail."""
    from .tokens import issue_read_token, issue_token

    if read:
        issued = issue_read_token(user, name, project=project, organization=organization, expires=expires)
    else:
        issued = issue_token(user, name, project=project, organization=organization, expires=expires)
    scope = issued.token.scope_label
    record_security_event(
        user, SecurityEvent.Tag.TOKEN_CREATED, request, token=name, key_id=issued.token.key_id, scope=scope
    )
    notify(user, "account/email/token_created", request, token_name=name, scope=scope, expires=expires)
    return issued


@transaction.atomic
def revoke_api_token(user: User, token: ApiToken, request: HttpRequest | None = None) -> bool:
    from .tokens import revoke_token

    if token.revoked is not None:
        return False
    revoke_token(token)
    record_security_event(user, SecurityEvent.Tag.TOKEN_REVOKED, request, token=token.name, key_id=token.key_id)
    return True


def sole_owner_projects(user: User) -> list[Project | Organization]:
    """Projects and organizations where this user is the only Owner: they would be left without
    one (the organization's Owners count as a project's Owners, packages/permissions.py)."""
    from django.db.models import Count, Q

    from packages.models import Project, Role

    owned = Role.objects.filter(user=user, role_name=Role.OWNER).values("project_id")
    # Count owners in a separate query level: annotating the filtered join would count only this user.
    projects = (
        Project.objects.filter(pk__in=owned, organization__isnull=True)
        .annotate(owner_count=Count("roles", filter=Q(roles__role_name=Role.OWNER)))
        .filter(owner_count=1)
        .order_by("normalized_name")
    )
    from organizations.models import Organization, OrganizationRole

    led = OrganizationRole.objects.filter(user=user, role_name=OrganizationRole.OWNER).values("organization_id")
    organizations = (
        Organization.objects.filter(pk__in=led)
        .annotate(owner_count=Count("roles", filter=Q(roles__role_name=OrganizationRole.OWNER)))
        .filter(owner_count=1)
        .order_by("normalized_name")
    )
    return [*projects, *organizations]


class AccountDeletionRefused(Exception):
    def __init__(self, projects: list[Project | Organization]) -> None:
        super().__init__("You are the only Owner of some projects.")
        self.projects = projects


@transaction.atomic
def delete_account(user: User) -> None:
    """Delete the account, unless a project would be left without an Owner."""
    from packages.services import remove_role

    projects = sole_owner_projects(user)
    if projects:
        raise AccountDeletionRefused(projects)
    # Through the services layer, so each project's journal and serial record the departure.
    for role in user.roles.select_related("project", "user"):
        remove_role(role, user)
    user.delete()
