"""No staff member below superuser can take over a staff account through the admin."""

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.test import Client

from accounts.models import User
from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from devtools.testing.staff import add_totp, staff_login
from packages.staff_groups import ADMINS, MODERATORS
from packages.tests.test_admin import run_action, staff_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def logged_in(group, username):
    browser = Client()
    staff_login(browser, staff_member(group, username), DEFAULT_PASSWORD)
    return browser


@pytest.fixture
def moderator():
    return logged_in(MODERATORS, "a-moderator")


@pytest.fixture
def admin_member():
    return logged_in(ADMINS, "an-admin")


def test_a_moderator_cannot_change_a_superusers_email_username_or_active_flag(moderator, root, outbox, deliver):
    url = f"/admin/accounts/user/{root.pk}/change/"
    page = moderator.get(url)
    assert page.status_code == 200  # they may look...
    html = page.content.decode()
    for field in ("username", "email", "is_active", "is_staff", "groups"):
        assert f'name="{field}"' not in html, field
    attack = {
        "username": "root",
        "email": "a-moderator@example.com",
        "is_active": "on",
        "first_name": "",
        "last_name": "",
        "name": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    assert moderator.post(url, attack).status_code == 403  # ...but never save
    assert User.objects.get(pk=root.pk).email == "root@example.com"
    # The rest of the takeover: a reset for the moderator's address never reaches root's account.
    with deliver():
        Client().post("/account/password/reset/", {"email": "a-moderator@example.com"})
    assert all("root" not in m.body for m in outbox)


@pytest.mark.parametrize("group", [MODERATORS, ADMINS])
def test_no_one_below_superuser_edits_or_deletes_another_staff_account(group, root):
    browser = logged_in(group, "someone")
    other_staff = UserFactory(username="staffer", is_staff=True)
    for target in (root, other_staff):
        assert browser.post(f"/admin/accounts/user/{target.pk}/change/", {"username": "x"}).status_code == 403
        assert browser.post(f"/admin/accounts/user/{target.pk}/delete/", {"post": "yes"}).status_code == 403
        assert browser.get(f"/admin/accounts/user/{target.pk}/password/").status_code == 403
    assert User.objects.filter(username__in=["root", "staffer"]).count() == 2


def test_moderators_still_freeze_and_unfreeze_staff_with_a_reason(moderator):
    staffer = UserFactory(username="staffer", is_staff=True)
    run_action(moderator, "accounts/user", "freeze", [staffer], reason="leaked password")
    assert User.objects.get(pk=staffer.pk).is_frozen
    run_action(moderator, "accounts/user", "unfreeze", [staffer], reason="rotated")
    assert not User.objects.get(pk=staffer.pk).is_frozen


def test_on_ordinary_accounts_email_and_active_flag_are_read_only_too(moderator, user):
    html = moderator.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    assert 'name="username"' in html  # a rename, e.g. of an offensive name, is still possible
    assert 'name="email"' not in html and 'name="is_active"' not in html


def test_superusers_change_staff_identity_but_the_email_follows_the_verified_address(root):
    superuser = Client()
    staff_login(superuser, root, DEFAULT_PASSWORD)
    staffer = UserFactory(username="staffer", is_staff=True)
    html = superuser.get(f"/admin/accounts/user/{staffer.pk}/change/").content.decode()
    assert 'name="username"' in html and 'name="is_staff"' in html and 'name="email"' not in html


def test_allauth_addresses_of_staff_are_not_editable_below_superuser(admin_member, root):
    address = EmailAddress.objects.get(user=root)
    url = f"/admin/account/emailaddress/{address.pk}/change/"
    assert admin_member.get(url).status_code == 200
    assert (
        admin_member.post(
            url, {"user": root.pk, "email": "an-admin@example.com", "verified": "on", "primary": "on"}
        ).status_code
        == 403
    )
    assert admin_member.post(f"/admin/account/emailaddress/{address.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_member.get("/admin/account/emailaddress/add/").status_code == 403
    unverified = EmailAddress.objects.create(user=root, email="root.other@example.net", verified=False)
    admin_member.post("/admin/account/emailaddress/", {"action": "make_verified", "_selected_action": [unverified.pk]})
    assert not EmailAddress.objects.get(pk=unverified.pk).verified
    assert User.objects.get(pk=root.pk).email == "root@example.com"


def test_second_factors_of_staff_are_reset_by_superusers_only_and_never_shown(admin_member, root):
    secret = add_totp(root)
    response = run_action(admin_member, "accounts/user", "reset_two_factor", [root], reason="lost phone")
    assert response.status_code == 302 and root.has_two_factor()
    authenticator = Authenticator.objects.get(user=root)
    page = admin_member.get(f"/admin/mfa/authenticator/{authenticator.pk}/change/")
    assert page.status_code == 200 and secret not in page.content.decode()
    assert admin_member.post(f"/admin/mfa/authenticator/{authenticator.pk}/delete/", {"post": "yes"}).status_code == 403
    assert root.has_two_factor()
