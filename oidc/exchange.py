"""The Trusted Publishing exchange: an OIDC identity token in, a short-lived upload token out.

As pypi.org does it: the issuer is looked up from the token's unverified `iss` among the enabled
issuers; the signature is checked with the issuer's key for the token's `kid` (oidc/jwks.py);
`iss`, `aud` (exactly OIDC_AUDIENCE), `iat`, `exp`, `nbf` with a small leeway; each `jti` is
accepted once (a database row under a unique constraint, so replay is refused on every node);
the claims must match exactly one publisher. Each refusal names the check that failed.
"""

import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.tokens import issue_publisher_token
from packages.models import Project

from .jwks import KeyFetchError, signing_key
from .models import OIDCIssuer, TrustedPublisher, UsedJTI

log = logging.getLogger(__name__)
ALGORITHMS = ["RS256", "ES256"]
MAX_TOKEN_LENGTH = 16 * 1024


class ExchangeError(Exception):
    def __init__(self, code, description):
        super().__init__(description)
        self.code, self.description = code, description


@dataclass
class Minted:
    raw: str
    expires: datetime
    publisher: TrustedPublisher


def count_failure(code):
    """Failures per check, in the shared cache (`manage.py oidc_issuer list` shows them)."""
    key = f"oidc:failures:{code}"
    if not cache.add(key, 1, None):
        try:
            cache.incr(key)
        except ValueError:  # evicted between add and incr
            cache.add(key, 1, None)


def failure_counts(codes):
    return {code: cache.get(f"oidc:failures:{code}", 0) for code in codes}


FAILURE_CODES = (
    "invalid-payload",
    "unknown-issuer",
    "disabled-issuer",
    "invalid-key",
    "invalid-signature",
    "wrong-audience",
    "expired",
    "not-yet-valid",
    "invalid-token",
    "replayed",
    "invalid-publisher",
)


def _issuer_of(token):
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError:
        raise ExchangeError("invalid-payload", "The OIDC token is not a well-formed JWT.") from None
    iss = unverified.get("iss")
    if not isinstance(iss, str) or not iss:
        raise ExchangeError("invalid-payload", "The OIDC token has no issuer (iss).")
    issuer = OIDCIssuer.objects.filter(url=iss).first()
    if issuer is None:
        raise ExchangeError("unknown-issuer", f"The issuer '{iss}' is not known to this index.")
    if not issuer.enabled:
        raise ExchangeError("disabled-issuer", f"The issuer '{iss}' is disabled on this index.")
    return issuer, header


def verify(token: str):
    """The verified claims of `token` and its issuer, or ExchangeError."""
    if not isinstance(token, str) or not token or len(token) > MAX_TOKEN_LENGTH:
        raise ExchangeError("invalid-payload", 'Send the OIDC token as {"token": "<JWT>"}.')
    issuer, header = _issuer_of(token)
    kid = header.get("kid")
    if header.get("alg") not in ALGORITHMS:
        raise ExchangeError(
            "invalid-signature",
            f"Unsupported signing algorithm {header.get('alg')!r}: {' or '.join(ALGORITHMS)} expected.",
        )
    try:
        jwk = signing_key(issuer.url, str(kid)) if kid else None
    except KeyFetchError as exc:
        raise ExchangeError("invalid-key", f"The issuer's keys could not be fetched: {exc}") from None
    if jwk is None:
        raise ExchangeError("invalid-key", f"The issuer '{issuer.url}' has no signing key with kid {kid!r}.")
    try:
        key = jwt.PyJWK(jwk, algorithm=header["alg"]).key
        claims = jwt.decode(
            token,
            key,
            algorithms=[header["alg"]],
            audience=settings.OIDC_AUDIENCE,
            issuer=issuer.url,
            leeway=settings.OIDC_LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "iat", "exp"], "strict_aud": True, "verify_iat": True},
        )
    except jwt.ExpiredSignatureError:
        raise ExchangeError("expired", "The OIDC token has expired.") from None
    except jwt.ImmatureSignatureError:
        raise ExchangeError("not-yet-valid", "The OIDC token is not valid yet (nbf or iat in the future).") from None
    except jwt.InvalidAudienceError:
        raise ExchangeError(
            "wrong-audience",
            f"The OIDC token's audience is not '{settings.OIDC_AUDIENCE}' (ask {'/_/oidc/audience'} for it).",
        ) from None
    except jwt.InvalidSignatureError:
        raise ExchangeError("invalid-signature", "The OIDC token's signature does not verify.") from None
    except (jwt.PyJWTError, ValueError) as exc:
        raise ExchangeError("invalid-token", f"The OIDC token is invalid: {exc}.") from None
    return issuer, claims


def _record_jti(issuer, token, claims):
    """Accept each token once: its `jti` (or, for issuers without one, the token's hash)."""
    jti = str(claims.get("jti") or hashlib.sha256(token.encode()).hexdigest())[:255]
    now = timezone.now()
    expires = datetime.fromtimestamp(int(claims["exp"]), tz=UTC) + timedelta(seconds=settings.OIDC_LEEWAY_SECONDS + 5)
    UsedJTI.objects.filter(expires__lt=now).delete()  # indexed; only what expired since the last exchange
    try:
        with transaction.atomic():
            UsedJTI.objects.create(issuer=issuer, jti=jti, expires=expires)
    except IntegrityError:
        raise ExchangeError("replayed", "This OIDC token was already exchanged (its jti was used).") from None


def find_publisher(issuer, claims):
    """The one publisher whose pinned claims match (on a live or pending project)."""
    spec = issuer.kind_spec
    candidates = (
        TrustedPublisher.objects.select_related("issuer", "project")
        .filter(issuer=issuer, lookup=spec.lookup_value(claims))
        .exclude(project__status=Project.Status.QUARANTINED)[:50]
    )
    matching = [p for p in candidates if spec.matches(p.claims, claims, issuer.url)]
    if not matching:
        raise ExchangeError(
            "invalid-publisher",
            f"Valid token, but no trusted publisher on this index matches its claims ({spec.describe_token(claims)}).",
        )
    live = [p for p in matching if not p.is_pending]
    if len({p.project_id for p in live}) > 1:
        names = ", ".join(sorted(p.project.name for p in live))
        raise ExchangeError(
            "invalid-publisher",
            f"The token's claims match trusted publishers of several projects "
            f"({names}); a minted token is for one project: pin an environment to tell them apart.",
        )
    return (live or matching)[0]


def mint(token: str) -> Minted:
    """Verify `token` and mint an upload token for its publisher; ExchangeError (counted) on failure."""
    try:
        issuer, claims = verify(token)
        with transaction.atomic():
            publisher = find_publisher(issuer, claims)
            _record_jti(issuer, token, claims)
            issued = issue_publisher_token(publisher, timedelta(seconds=settings.OIDC_MINTED_TOKEN_SECONDS))
    except ExchangeError as exc:
        count_failure(exc.code)
        log.info("OIDC exchange refused: %s: %s", exc.code, exc.description)
        raise
    return Minted(raw=issued.raw, expires=issued.token.expires, publisher=publisher)
