"""Admin kill switches: ids, their meaning, and the check used by views and the upload path."""

from django.core.cache import cache

READ_ONLY = "read-only"
DISALLOW_NEW_UPLOAD = "disallow-new-upload"
DISALLOW_NEW_PROJECT = "disallow-new-project-registration"
DISALLOW_NEW_USER = "disallow-new-user-registration"
DISALLOW_OIDC = "disallow-oidc"

KNOWN_FLAGS = {
    READ_ONLY: "Read-only mode: every write (uploads, account and project changes) is refused.",
    DISALLOW_NEW_UPLOAD: "New uploads are temporarily disabled.",
    DISALLOW_NEW_PROJECT: "New project registration is temporarily disabled.",
    DISALLOW_NEW_USER: "New user registration is temporarily disabled.",
    DISALLOW_OIDC: "Trusted publishing (OIDC token exchange) is temporarily disabled.",
}

_CACHE_KEY = "admin-flags:enabled"
_NOTICES_KEY = "admin-flags:notices"


def enabled_flags():
    """Set of enabled flag ids, cached briefly because every request asks."""
    flags = cache.get(_CACHE_KEY)
    if flags is None:
        from .models import AdminFlag

        flags = set(AdminFlag.objects.filter(enabled=True).values_list("id", flat=True))
        cache.set(_CACHE_KEY, flags, 5)
    return flags


def is_enabled(flag_id):
    return flag_id in enabled_flags()


def signup_open():
    """False while new user registration (or the whole site) is switched off; for the allauth adapter."""
    return not (enabled_flags() & {DISALLOW_NEW_USER, READ_ONLY})


def site_notices():
    """Descriptions of enabled flags that staff asked to announce on the web site."""
    notices = cache.get(_NOTICES_KEY)
    if notices is None:
        from .models import AdminFlag

        notices = list(AdminFlag.objects.filter(enabled=True, notify=True).values_list("description", flat=True))
        cache.set(_NOTICES_KEY, notices, 5)
    return notices


def forget_cached_flags():
    cache.delete_many([_CACHE_KEY, _NOTICES_KEY])


def ensure_known_flags():
    from .models import AdminFlag

    for flag_id, description in KNOWN_FLAGS.items():
        AdminFlag.objects.get_or_create(id=flag_id, defaults={"description": description})
