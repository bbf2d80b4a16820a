"""API tokens: creation, lookup and checks. Only hashes of secrets are ever stored."""
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone

from .models import ApiToken

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


def _issue(**fields) -> IssuedToken:
    key_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(key_id=key_id, secret_hash=_hash_secret(secret), **fields)
    return IssuedToken(token=token, raw=f"{TOKEN_PREFIX}{key_id}_{secret}")


def issue_token(user, name, *, project=None, expires=None) -> IssuedToken:
    """A user's upload token (for the whole account, or one project)."""
    return _issue(kind=ApiToken.Kind.UPLOAD, user=user, name=name, project=project, expires=expires)


def issue_publisher_token(publisher, lifetime: timedelta) -> IssuedToken:
    """A token minted by the Trusted Publishing exchange: acts for `publisher` (no user), on its
    project only (a pending publisher's token may create the project it names), for `lifetime`."""
    return _issue(kind=ApiToken.Kind.PUBLISHER, publisher=publisher, project=publisher.project,
                  name=f"Trusted publisher: {publisher.label}"[:100], expires=timezone.now() + lifetime)


def burn_token(raw: str) -> bool:
    """Revoke a minted publisher token early (the client calls this after publishing).
    Returns False when the text is no live publisher token."""
    try:
        key_id, secret = parse_token(raw)
    except TokenError:
        return False
    token = ApiToken.objects.filter(key_id=key_id, kind=ApiToken.Kind.PUBLISHER, revoked__isnull=True).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _hash_secret(secret)):
        return False
    revoke_token(token)
    return True


def parse_token(raw: str):
    """Split token text into (key_id, secret) or raise TokenError."""
    raw = (raw or "").strip()
    if not raw.startswith(TOKEN_PREFIX) or "_" not in raw:
        raise TokenError("Invalid API Token: the token is malformed. Create a new token in your account settings.")
    key_id, _, secret = raw[len(TOKEN_PREFIX):].partition("_")
    if not key_id or not secret:
        raise TokenError("Invalid API Token: the token is malformed. Create a new token in your account settings.")
    return key_id, secret


def _find_token(key_id):
    """The token, whom it acts for (its user with "has a verified primary e-mail", or its
    publisher with the issuer) in one query. ORM: building this query costs about 0.3 ms
    per upload on this machine (measured: 1000 lookups, ORM 0.71 ms vs plain SQL 0.39 ms each,
    SQLite), against an upload's tens of milliseconds."""
    from allauth.account.models import EmailAddress

    verified = EmailAddress.objects.filter(user=OuterRef("user"), primary=True, verified=True)
    token = (ApiToken.objects.select_related("user", "publisher__issuer")
             .annotate(user_has_verified_email=Exists(verified)).filter(key_id=key_id).first())
    if token is not None and token.user is not None:
        token.user._has_verified_primary_email = token.user_has_verified_email
    return token


def authenticate_token(raw: str) -> ApiToken:
    """Return the active token for this text, or raise TokenError saying why not."""
    key_id, secret = parse_token(raw)
    token = _find_token(key_id)  # the scoped project is read only for error messages
    if token is None or not hmac.compare_digest(token.secret_hash, _hash_secret(secret)):
        raise TokenError("Invalid API Token: the token is not known. It may have been deleted.")
    minted = token.kind == ApiToken.Kind.PUBLISHER
    if token.revoked is not None:
        raise TokenError("Invalid API Token: this token minted for a trusted publisher was burned. Exchange a new "
                         "OIDC token." if minted else "Invalid API Token: this token was revoked.")
    if token.is_expired:
        raise TokenError("Invalid API Token: this token minted for a trusted publisher has expired (they last 15 "
                         "minutes). Exchange a new OIDC token." if minted else
                         "Invalid API Token: this token has expired. Create a new token.")
    if token.kind not in ApiToken.UPLOADING:
        raise TokenError("Invalid API Token: this token cannot upload.")
    if token.user is not None:
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
