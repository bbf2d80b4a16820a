"""User.email follows the verified primary allauth EmailAddress, whoever changes the addresses."""

import pytest
from allauth.account.models import EmailAddress

from accounts.models import User

pytestmark = pytest.mark.django_db


def email_of(user):
    return User.objects.get(pk=user.pk).email


def test_user_email_is_the_verified_primary_address(client, user):
    second = EmailAddress.objects.create(user=user, email="alice.work@example.com", verified=False)
    assert email_of(user) == "alice@example.com"
    client.force_login(user)
    client.post("/account/email/", {"email": "alice.work@example.com", "action_primary": ""})
    assert email_of(user) == "alice@example.com"  # an unverified address never becomes User.email
    second.verified = True
    second.save()
    response = client.post("/account/email/", {"email": "alice.work@example.com", "action_primary": ""})
    assert response.status_code == 302
    assert email_of(user) == "alice.work@example.com"


def test_a_user_row_edited_directly_is_put_back_on_the_next_address_change(user):
    User.objects.filter(pk=user.pk).update(email="attacker@example.net")
    EmailAddress.objects.create(user=user, email="alice.other@example.com", verified=True)
    assert email_of(user) == "alice@example.com"
    EmailAddress.objects.filter(user=user).delete()  # no verified primary left: no User.email either
    assert email_of(user) == ""
