"""Several email addresses: add, verify, make primary, remove; notices go to the primary."""

import pytest
from allauth.account.models import EmailAddress

from accounts.models import SecurityEvent

from .factories import UserFactory
from .support import link_in, path_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


def test_add_verify_make_primary_and_remove(logged_in, user, deliver, outbox):
    with deliver():
        response = logged_in.post("/account/email/", {"email": "alice@work.example", "action_add": ""})
    assert response.status_code == 302
    added = EmailAddress.objects.get(email="alice@work.example")
    assert added.user == user and not added.verified and not added.primary
    # A confirmation link to the new address and a notice to the primary one.
    recipients = sorted(m.to[0] for m in outbox)
    assert recipients == ["alice@example.com", "alice@work.example"]
    notice = next(m for m in outbox if m.to == ["alice@example.com"])
    assert "new email address" in notice.subject and "alice@work.example" in notice.body
    confirmation = next(m for m in outbox if m.to == ["alice@work.example"])

    # Unverified addresses cannot become primary.
    logged_in.post("/account/email/", {"email": "alice@work.example", "action_primary": ""})
    assert not EmailAddress.objects.get(pk=added.pk).primary

    with deliver():
        logged_in.post(path_of(link_in(confirmation, "/account/confirm-email/")))
    assert EmailAddress.objects.get(pk=added.pk).verified

    outbox.clear()
    with deliver():
        response = logged_in.post("/account/email/", {"email": "alice@work.example", "action_primary": ""})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "alice@work.example"
    assert EmailAddress.objects.get(email="alice@example.com").primary is False
    assert user.security_events.filter(tag=SecurityEvent.Tag.EMAIL_PRIMARY).exists()
    assert [m.to for m in outbox] == [["alice@example.com"]]  # the old address is told about the change

    outbox.clear()
    with deliver():
        response = logged_in.post("/account/email/", {"email": "alice@example.com", "action_remove": ""})
    assert response.status_code == 302
    assert list(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == ["alice@work.example"]
    assert [m.to for m in outbox] == [["alice@work.example"]]  # notices go to the (new) primary
    tags = set(user.security_events.values_list("tag", flat=True))
    assert {"email_added", "email_verified", "email_primary", "email_removed"} <= tags


def test_resend_verification_for_an_added_address(logged_in, deliver, outbox):
    with deliver():
        logged_in.post("/account/email/", {"email": "alice@work.example", "action_add": ""})
    outbox.clear()
    with deliver():
        response = logged_in.post("/account/email/", {"email": "alice@work.example", "action_send": ""})
    assert response.status_code == 302
    assert [m.to for m in outbox] == [["alice@work.example"]]
    assert "/account/confirm-email/" in outbox[0].body


def test_primary_address_cannot_be_removed(logged_in, user):
    response = logged_in.post("/account/email/", {"email": "alice@example.com", "action_remove": ""}, follow=True)
    assert response.status_code == 200
    assert EmailAddress.objects.filter(email="alice@example.com", user=user).exists()
    assert b"cannot remove your primary email" in response.content


def test_address_of_another_account_is_a_form_error(logged_in, db):
    UserFactory(username="bob")
    response = logged_in.post("/account/email/", {"email": "bob@example.com", "action_add": ""})
    assert response.status_code == 200
    assert "already" in " ".join(response.context["form"].errors["email"])


def test_email_page_lists_addresses(logged_in):
    page = logged_in.get("/account/email/")
    assert page.status_code == 200 and b"alice@example.com" in page.content
    assert b'aria-label="Account settings"' in page.content  # the account navigation
