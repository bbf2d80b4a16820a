"""API tokens are random, shown once, stored only as a hash, and checked strictly."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import ApiToken
from accounts.tokens import TokenError, authenticate_token, issue_token, revoke_token


def test_only_a_hash_of_the_secret_is_stored(user):
    issued = issue_token(user, "ci")
    secret = issued.raw.split("_", 1)[1]
    row = ApiToken.objects.get(pk=issued.token.pk)
    assert secret not in row.secret_hash and secret not in row.key_id
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert issued.raw.startswith("pypi-")
    assert issue_token(user, "other").raw != issued.raw


def test_authenticate_token_accepts_the_token_and_records_use(user):
    issued = issue_token(user, "ci")
    assert authenticate_token(issued.raw).user == user
    assert ApiToken.objects.get(pk=issued.token.pk).last_used is not None


@pytest.mark.parametrize(
    "mutate", [lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), lambda t: "garbage", lambda t: ""]
)
def test_wrong_tokens_are_refused(user, mutate):
    issued = issue_token(user, "ci")
    with pytest.raises(TokenError):
        authenticate_token(mutate(issued.raw))


def test_revoked_expired_and_frozen_are_refused_with_reasons(user):
    revoked = issue_token(user, "r")
    revoke_token(revoked.token)
    with pytest.raises(TokenError, match="revoked"):
        authenticate_token(revoked.raw)
    expired = issue_token(user, "e", expires=timezone.now() - timedelta(seconds=1))
    with pytest.raises(TokenError, match="expired"):
        authenticate_token(expired.raw)
    live = issue_token(user, "f")
    user.is_frozen = True
    user.save()
    with pytest.raises(TokenError, match="frozen"):
        authenticate_token(live.raw)


def test_last_used_is_written_at_most_once_a_minute(user, django_assert_num_queries):
    issued = issue_token(user, "ci")
    authenticate_token(issued.raw)
    first = ApiToken.objects.get(pk=issued.token.pk).last_used
    with django_assert_num_queries(1):  # the lookup only: no write inside the minute
        authenticate_token(issued.raw)
    ApiToken.objects.filter(pk=issued.token.pk).update(last_used=first - timedelta(minutes=2))
    authenticate_token(issued.raw)
    assert ApiToken.objects.get(pk=issued.token.pk).last_used > first - timedelta(minutes=1)
