"""Who reads a simple page, JSON document or file: the `reader` packages/permissions.py judges.

A reader is None (anonymous), a user (a username and password pip or uv sent) or a verified
ApiToken (`__token__` and a token): the APIs read HTTP Basic credentials only, never the browser
session (looking at it would add a session lookup and `Vary: Cookie` to every public answer);
the web pages judge `request.user` (packages/views). Only a
private project asks its reader anything (packages/permissions.py: reader_can_see), and nothing
here runs for a request that sends no credentials: anonymous requests cost what they did.

Credentials that are sent are checked whatever the project, and wrong ones (unknown, revoked
or expired token, wrong password, frozen account) are refused with 401 on every page, as the
self-hosted indexes (devpi, pypiserver, Artifactory, GitLab) answer: pip and uv then say that
the credentials are wrong instead of reporting a missing project. The answer depends on the
credentials only, never on the project, so it tells nothing about which names exist. An
upload token is valid credentials but reads public projects only (so `uv publish --check-url`
with an upload token keeps working); pypi.org, which has nothing private, ignores credentials.
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import authenticate as django_authenticate

from core.instrument import identify

from .basic import TOKEN_USERNAME, FailedCredentials, MalformedCredentials, credential_key, parse_basic
from .models import ApiToken
from .tokens import TokenError, authenticate_token


@dataclass
class CredentialsRefused(Exception):
    """Wrong credentials: a 401 asking for others, or a 429 once too many failed."""

    message: str
    status: int = 401
    headers: dict = field(default_factory=dict)

    def __post_init__(self):
        super().__init__(self.message)
        if self.status == 401:
            self.headers.setdefault("WWW-Authenticate", f'Basic realm="{settings.SITE_NAME}", charset="UTF-8"')


_UNSET = object()


def reader_for(request):
    """The request's reader (see the module docstring), worked out once per request. Raises
    CredentialsRefused for wrong credentials."""
    reader = getattr(request, "_reader", _UNSET)
    if reader is _UNSET:
        reader = request._reader = _reader(request)
    return reader


def _reader(request):
    try:
        credentials = parse_basic(request.META.get("HTTP_AUTHORIZATION"))
    except MalformedCredentials as exc:
        raise CredentialsRefused(str(exc)) from None
    if credentials is None:  # none sent, or another scheme (not ours): anonymous
        return None
    username, password = credentials
    failures = FailedCredentials(request)
    credential = credential_key(username, password)
    limiter = failures.throttled(credential)
    if limiter is not None:
        raise CredentialsRefused(
            "Too many failed authentication attempts. Try again later.",
            status=429,
            headers={"Retry-After": str(limiter.retry_after())},
        )
    try:
        if username == TOKEN_USERNAME:
            reader = _token_reader(request, password)
        else:
            reader = _password_reader(request, username, password)
    except CredentialsRefused:
        failures.failed(credential)
        raise
    return reader


def _token_reader(request, raw):
    try:
        token = authenticate_token(raw, kinds=tuple(ApiToken.Kind))
    except TokenError as exc:
        raise CredentialsRefused(str(exc)) from None
    identify(request, user_id=token.user_id, token_id=token.pk)
    return token


def _password_reader(request, username, password):
    user = django_authenticate(request, username=username, password=password)
    if user is None:  # also a frozen or disabled account (accounts' auth backends refuse them)
        raise CredentialsRefused("Invalid username or password.")
    if user.has_two_factor():
        # As for uploads: a password is one factor, and pip cannot ask for the second.
        raise CredentialsRefused(
            f"User '{user.username}' has two-factor authentication enabled: read with a read token "
            "(username '__token__', the token as the password) instead of a password."
        )
    identify(request, user_id=user.pk)
    return user
