"""Account moderation (accounts/moderation.py), checked through what clients see: uploads, login, sessions."""

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse

from accounts import moderation
from accounts.models import ApiToken, SecurityEvent
from devtools.testing.uploads import upload_wheel

pytestmark = pytest.mark.django_db


def test_freeze_refuses_login_and_tokens_and_revokes_sessions(
    client, user, staff, password, token_for, basic_auth, evil_release
):
    token = token_for(user)
    assert client.login(username="alice", password=password)
    assert Session.objects.count() == 1

    result = moderation.freeze_user(user, staff, "account takeover")

    assert result == {"tokens": 1, "sessions": 1}
    assert Session.objects.count() == 0
    assert not ApiToken.objects.filter(user=user, revoked__isnull=True).exists()
    user.refresh_from_db()
    assert user.is_frozen and user.frozen_reason == "account takeover"
    response = upload_wheel(client, token, "evil-pkg", "2.0")
    assert response.status_code == 403
    assert "this token was revoked" in response.content.decode()
    assert not client.login(username="alice", password=password)
    assert SecurityEvent.objects.filter(user=user, tag=SecurityEvent.Tag.ACCOUNT_FROZEN).exists()


def test_frozen_users_fresh_token_is_refused_with_a_clear_message(
    client, user, staff, token_for, basic_auth, evil_release
):
    moderation.freeze_user(user, staff, "spam")
    response = upload_wheel(client, token_for(user), "evil-pkg", "2.0")  # a token created after the freeze
    assert response.status_code == 403
    assert "The account 'alice' is frozen" in response.content.decode()


def test_frozen_user_cannot_log_in_through_allauth(client, user, staff, password):
    moderation.freeze_user(user, staff, "spam")
    response = client.post(reverse("account_login"), {"login": "alice", "password": password})
    assert response.status_code == 200  # the form again, with an error
    assert "_auth_user_id" not in client.session


def test_unfreeze_lets_user_log_in_again(client, user, staff, password):
    moderation.freeze_user(user, staff, "spam")
    moderation.unfreeze_user(user, staff, "verified owner")
    assert client.login(username="alice", password=password)
    with pytest.raises(moderation.ModerationError, match="not frozen"):
        moderation.unfreeze_user(user, staff, "again")
    with pytest.raises(moderation.ModerationError, match="own account"):
        moderation.freeze_user(staff, staff, "oops")


def test_reset_two_factor_deletes_authenticators(user, staff):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    Authenticator.objects.create(user=user, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "y"})
    assert user.has_two_factor()
    assert moderation.reset_two_factor(user, staff, "identity checked by video call") == 2
    assert not user.has_two_factor()
    assert SecurityEvent.objects.filter(user=user, tag=SecurityEvent.Tag.MFA_RESET).exists()
    with pytest.raises(moderation.ModerationError, match="no two-factor"):
        moderation.reset_two_factor(user, staff, "again")
