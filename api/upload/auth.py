"""Step 1 of an upload: who is uploading (HTTP Basic: __token__ + API token, or password)."""
import base64
import binascii
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate as django_authenticate

from accounts.tokens import TokenError, authenticate_token

from .errors import UploadError, help_url


@dataclass
class Uploader:
    user: object
    token: object = None  # accounts.ApiToken when a token was used


def _basic_credentials(request):
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic" or not encoded:
        raise UploadError(
            "Invalid or non-existent authentication information. Upload with an API token: "
            "username '__token__' and the token as the password.",
            status=403,
            code="auth",
        )
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise UploadError("Malformed HTTP Basic authorization header.", status=403, code="auth") from None
    username, sep, password = decoded.partition(":")
    if not sep or not decoded.isprintable():  # NUL or control characters never reach the database
        raise UploadError("Malformed HTTP Basic authorization header.", status=403, code="auth")
    return username, password


def authenticate(request) -> Uploader:
    username, password = _basic_credentials(request)
    if username == "__token__":
        try:
            token = authenticate_token(password)
        except TokenError as exc:
            raise UploadError(str(exc), status=403, code="auth") from None
        return Uploader(user=token.user, token=token)
    if not settings.UPLOAD_ALLOW_PASSWORD_AUTH:
        raise UploadError(
            "Username/Password authentication is no longer supported. Use an API token: "
            "username '__token__' and the token (create one in your account settings) as the password.",
            status=403,
            code="password_auth_disabled",
            help_url=help_url("accounts"),
        )
    user = django_authenticate(request, username=username, password=password)
    if user is None:
        raise UploadError("Invalid username or password.", status=403, code="auth")
    return Uploader(user=user)


def check_account(uploader: Uploader):
    """What pypi.org asks of every uploader, whatever the credentials: not frozen, a verified
    primary e-mail address, and (when the index requires it) two-factor authentication."""
    user = uploader.user
    if user.is_frozen or not user.is_active:
        raise UploadError(f"The account '{user.username}' is frozen and cannot upload.", status=403,
                          code="account_frozen", help_url=help_url("accounts"))
    if settings.UPLOAD_REQUIRE_VERIFIED_EMAIL and not user.has_verified_primary_email():
        raise UploadError(
            f"User '{user.username}' does not have a verified primary email address. Please add a verified "
            "primary email before attempting to upload.", status=403, code="email_unverified",
            help_url=help_url("accounts"),
        )
    if settings.UPLOAD_REQUIRE_2FA and not user.has_two_factor():
        raise UploadError(
            f"User '{user.username}' does not have two-factor authentication enabled. Enable it in your account "
            "settings before uploading.", status=403, code="two_factor_required", help_url=help_url("accounts"),
        )
