"""API tokens: creation, lookup and checks. Only hashes of secrets are ever stored."""
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import OuterRef
from django.utils import timezone

from .models import ApiToken, User

TOKEN_PREFIX = "pypi-"
LAST_USED_PRECISION = timedelta(minutes=1)


class TokenError(Exception):
    """The token can't be used; the message is safe to show to the client."""


@dataclass
class IssuedToken:
    token: ApiToken
    raw: str  # shown to the user exactly once


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(user, name, *, project=None, expires=None) -> IssuedToken:
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        key_id=key_id,
        secret_hash=_hash_secret(secret),
        project=project,
        expires=expires,
    )
    return IssuedToken(token=token, raw=f"{TOKEN_PREFIX}{key_id}_{secret}")


def parse_token(raw: str):
    """Split token text into (key_id, secret) or raise TokenError."""
    raw = (raw or "").strip()
    if not raw.startswith(TOKEN_PREFIX) or "_" not in raw:
        raise TokenError("Invalid API Token: the token is malformed. Create a new token in your account settings.")
    key_id, _, secret = raw[len(TOKEN_PREFIX):].partition("_")
    if not key_id or not secret:
        raise TokenError("Invalid API Token: the token is malformed. Create a new token in your account settings.")
    return key_id, secret


def authenticate_token(raw: str) -> ApiToken:
    """Return the active token for this text, or raise TokenError saying why not."""
    key_id, secret = parse_token(raw)
    token = (
        ApiToken.objects.select_related("user")  # the scoped project is read only for error messages
        .annotate(user_email_verified=User.verified_primary_email_exists(OuterRef("user_id")))
        .filter(key_id=key_id)
        .first()
    )
    if token is None or not hmac.compare_digest(token.secret_hash, _hash_secret(secret)):
        raise TokenError("Invalid API Token: the token is not known. It may have been deleted.")
    token.user._has_verified_primary_email = token.user_email_verified
    if token.revoked is not None:
        raise TokenError("Invalid API Token: this token was revoked.")
    if token.is_expired:
        raise TokenError("Invalid API Token: this token has expired. Create a new token.")
    if token.user.is_frozen:
        raise TokenError(f"The account '{token.user.username}' is frozen; its tokens cannot be used.")
    if not token.user.is_active:
        raise TokenError(f"The account '{token.user.username}' is disabled; its tokens cannot be used.")
    now = timezone.now()
    # "Last used" is shown to a minute's precision: skip the write for a burst of uploads.
    if token.last_used is None or now - token.last_used > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
    return token


def revoke_token(token: ApiToken):
    if token.revoked is None:
        token.revoked = timezone.now()
        token.save(update_fields=["revoked"])
