"""HTTP Basic credentials as pip, uv and twine send them, and the throttle on failed ones.

Uploads (api/upload/auth.py) and reads (accounts/readers.py) share both, so a client guessing
tokens or passwords is counted alike on either path: per client address and per credential
(token id or account), with the UPLOAD_AUTH_FAILURES_PER_* rates.
"""

import base64
import binascii

from django.conf import settings

from core.clientip import client_key

from .throttles import account_key, throttle
from .tokens import TokenError, parse_token

TOKEN_USERNAME = "__token__"


class MalformedCredentials(Exception):
    pass


def parse_basic(header):
    """(username, password) from an Authorization header value; None when it is not Basic.
    Raises MalformedCredentials for a Basic header that does not decode to printable text."""
    scheme, _, encoded = (header or "").partition(" ")
    if scheme.lower() != "basic" or not encoded:
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        raise MalformedCredentials("Malformed HTTP Basic authorization header.") from None
    username, sep, password = decoded.partition(":")
    if not sep or not decoded.isprintable():  # NUL or control characters never reach the database
        raise MalformedCredentials("Malformed HTTP Basic authorization header.")
    return username, password


def credential_key(username, password):
    """The per-credential throttle key: the token id for tokens, the account for passwords."""
    if username == TOKEN_USERNAME:
        try:
            return "token:" + parse_token(password)[0]
        except TokenError:
            return None
    return account_key(username)


class FailedCredentials:
    """Counts failed credentials of one request's client; `throttled()` names the limiter that is
    used up (the request is then refused before its credentials are checked)."""

    def __init__(self, request):
        self.per_client = throttle("upload-auth-client", settings.UPLOAD_AUTH_FAILURES_PER_CLIENT)
        self.per_credential = throttle("upload-auth-credential", settings.UPLOAD_AUTH_FAILURES_PER_CREDENTIAL)
        self.client = client_key(request)

    def throttled(self, credential=None):
        for limiter, ident in ((self.per_client, self.client), (self.per_credential, credential)):
            if ident is not None and limiter.exceeded(ident):
                return limiter
        return None

    def failed(self, credential=None):
        self.per_client.hit(self.client)
        if credential is not None:
            self.per_credential.hit(credential)
