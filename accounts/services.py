"""Account operations shared by views, the admin and management commands."""
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction

from .models import SecurityEvent


def client_ip(request):
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


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
