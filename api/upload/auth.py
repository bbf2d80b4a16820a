"""Who is uploading (HTTP Basic: __token__ + API token, or password)."""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import authenticate as django_authenticate
from django.http import HttpRequest

from accounts.basic import TOKEN_USERNAME, FailedCredentials, MalformedCredentials, credential_key, parse_basic
from accounts.tokens import TokenError, authenticate_token
from core.instrument import identify

from .errors import UploadError, help_url

if TYPE_CHECKING:
    from accounts.models import ApiToken, User
    from oidc.models import TrustedPublisher


@dataclass
class Uploader:
    user: "User | None"  # None for a token minted for a trusted publisher
    token: "ApiToken | None" = None  # when a token was used
    publisher: "TrustedPublisher | None" = None  # the trusted publisher a minted token acts for

    @property
    def actor(self) -> "User | None":
        """Who the upload's journal entries and new rows name: the user (None for a publisher)."""
        return self.user

    @property
    def account(self) -> "User | None":
        """The account whose new-project rules apply: the user, or who registered the publisher."""
        return self.user if self.publisher is None else self.publisher.added_by


class _Failures:
    """Failed credentials (accounts/basic.py, shared with the read path), answered as uploads answer."""

    def __init__(self, request: HttpRequest) -> None:
        self.counter = FailedCredentials(request)

    def refuse_if_throttled(self, credential: str | None = None) -> None:
        limiter = self.counter.throttled(credential)
        if limiter is not None:
            raise UploadError(
                "Too many failed authentication attempts. Try again later.",
                status=429,
                code="rate_limited",
                help_url=help_url("accounts"),
                headers={"Retry-After": str(limiter.retry_after())},
            )

    def failed(self, error: UploadError, credential: str | None = None) -> UploadError:
        self.counter.failed(credential)
        return error


def _basic_credentials(request: HttpRequest, failures: _Failures) -> tuple[str, str]:
    try:
        credentials = parse_basic(request.META.get("HTTP_AUTHORIZATION", ""))
    except MalformedCredentials as exc:
        raise failures.failed(UploadError(str(exc), status=403, code="auth")) from None
    if credentials is None:
        raise UploadError(
            "Invalid or non-existent authentication information. Upload with an API token: "
            "username '__token__' and the token as the password.",
            status=403,
            code="auth",
        )
    return credentials


def authenticate(request: HttpRequest) -> Uploader:
    failures = _Failures(request)
    failures.refuse_if_throttled()
    username, password = _basic_credentials(request, failures)
    if username == TOKEN_USERNAME:
        credential = credential_key(username, password)
        failures.refuse_if_throttled(credential)
        try:
            token = authenticate_token(password)
        except TokenError as exc:
            raise failures.failed(UploadError(str(exc), status=403, code="auth"), credential) from None
        identify(request, user_id=token.user_id, token_id=token.pk)
        return Uploader(user=token.user, token=token, publisher=token.publisher)
    if not settings.UPLOAD_ALLOW_PASSWORD_AUTH:
        raise UploadError(
            "Username/Password authentication is no longer supported. Use an API token: "
            "username '__token__' and the token (create one in your account settings) as the password.",
            status=403,
            code="password_auth_disabled",
            help_url=help_url("accounts"),
        )
    credential = credential_key(username, password)
    failures.refuse_if_throttled(credential)
    user = django_authenticate(request, username=username, password=password)
    if user is None:
        raise failures.failed(UploadError("Invalid username or password.", status=403, code="auth"), credential)
    if user.has_two_factor():
        # As pypi.org: a password is one factor, and an upload cannot ask for the second.
        raise UploadError(
            f"User '{user.username}' has two-factor authentication enabled: upload with an API token "
            "(username '__token__', the token as the password) instead of a password.",
            status=403,
            code="two_factor_token_required",
            help_url=help_url("accounts"),
        )
    identify(request, user_id=user.pk)
    return Uploader(user=user)


def check_account(uploader: Uploader) -> None:
    """What pypi.org asks of every uploader, whatever the credentials: not frozen, a verified
    primary e-mail address, and (when the index requires it) two-factor authentication. A token
    minted for a trusted publisher acts for no person: these checks apply to the people who
    manage publishers, not to it."""
    if uploader.publisher is not None:
        return
    user = uploader.user
    assert user is not None  # only a publisher's minted token acts for no user
    if user.is_frozen or not user.is_active:
        raise UploadError(
            f"The account '{user.username}' is frozen and cannot upload.",
            status=403,
            code="account_frozen",
            help_url=help_url("accounts"),
        )
    if settings.UPLOAD_REQUIRE_VERIFIED_EMAIL and not user.has_verified_primary_email():
        raise UploadError(
            f"User '{user.username}' does not have a verified primary email address. Please add a verified "
            "primary email before attempting to upload.",
            status=403,
            code="email_unverified",
            help_url=help_url("accounts"),
        )
    if settings.UPLOAD_REQUIRE_2FA and not user.has_two_factor():
        raise UploadError(
            f"User '{user.username}' does not have two-factor authentication enabled. Enable it in your account "
            "settings before uploading.",
            status=403,
            code="two_factor_required",
            help_url=help_url("accounts"),
        )
