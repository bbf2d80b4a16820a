"""Account operations shared by views, the admin and management commands."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction

from core.clientip import client_ip

from .models import SecurityEvent


def sync_user_email(user_id):
    """Set User.email to the account's verified primary address (empty when it has none)."""
    verified = EmailAddress.objects.filter(user_id=user_id, primary=True, verified=True)
    email = verified.values_list("email", flat=True).first() or ""
    get_user_model().objects.filter(pk=user_id).exclude(email=email).update(email=email)


def record_security_event(user, tag, request=None, **details):
    return SecurityEvent.objects.create(
        user=user,
        tag=tag,
        ip_address=client_ip(request),
        user_agent=(request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""),
        details=details,
    )


@transaction.atomic
def create_user(username, email, password, *, name="", is_staff=False, is_superuser=False, verified=True):
    """Create a user with a primary email address (verified unless told otherwise)."""
    User = get_user_model()
    user = User(username=username, email=email, name=name, is_staff=is_staff, is_superuser=is_superuser)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    if email:
        EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    return user


def notify(user, template_prefix, request=None, **context):
    """Mail a security notice to the user's primary address (through the mail actor)."""
    from allauth.account.adapter import get_adapter

    get_adapter(request).send_notification_mail(template_prefix, user, context)


def change_display_name(user, name, request=None):
    old = user.name
    if name == old:
        return False
    user.name = name
    user.save(update_fields=["name"])
    record_security_event(user, SecurityEvent.Tag.DISPLAY_NAME, request, old=old, new=name)
    return True


@transaction.atomic
def create_api_token(user, name, *, project=None, expires=None, request=None):
    """Issue a token, record it in the security history and tell the owner by mail."""
    from .tokens import issue_token

    issued = issue_token(user, name, project=project, expires=expires)
    scope = issued.token.scope_label
    record_security_event(
        user, SecurityEvent.Tag.TOKEN_CREATED, request, token=name, key_id=issued.token.key_id, scope=scope
    )
    notify(user, "account/email/token_created", request, token_name=name, scope=scope, expires=expires)
    return issued


@transaction.atomic
def revoke_api_token(user, token, request=None):
    from .tokens import revoke_token

    if token.revoked is not None:
        return False
    revoke_token(token)
    record_security_event(user, SecurityEvent.Tag.TOKEN_REVOKED, request, token=token.name, key_id=token.key_id)
    return True


def sole_owner_projects(user):
    """Projects where this user is the only Owner: they would be left without one."""
    from django.db.models import Count, Q

    from packages.models import Project, Role

    owned = Role.objects.filter(user=user, role_name=Role.OWNER).values("project_id")
    # Count owners in a separate query level: annotating the filtered join would count only this user.
    return list(
        Project.objects.filter(pk__in=owned)
        .annotate(owner_count=Count("roles", filter=Q(roles__role_name=Role.OWNER)))
        .filter(owner_count=1)
        .order_by("normalized_name")
    )


class AccountDeletionRefused(Exception):
    def __init__(self, projects):
        super().__init__("You are the only Owner of some projects.")
        self.projects = projects


@transaction.atomic
def delete_account(user):
    """Delete the account, unless a project would be left without an Owner."""
    from packages.services import remove_role

    projects = sole_owner_projects(user)
    if projects:
        raise AccountDeletionRefused(projects)
    # Through the services layer, so each project's journal and serial record the departure.
    for role in user.roles.select_related("project", "user"):
        remove_role(role, user)
    user.delete()
