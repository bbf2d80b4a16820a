"""Display name, public profile, account settings page, security history, account deletion."""

import pytest
from django.contrib.auth import get_user_model

from accounts.models import SecurityEvent
from devtools.publish import publish
from packages import services
from packages.models import Role

from .factories import UserFactory
from .support import reauthenticate

pytestmark = pytest.mark.django_db


def test_change_display_name(client, user):
    client.force_login(user)
    page = client.get("/manage/account/")
    assert page.status_code == 200 and b'for="id_name"' in page.content
    response = client.post("/manage/account/", {"name": "  Alice Liddell "})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.name == "Alice Liddell"
    event = user.security_events.get(tag=SecurityEvent.Tag.DISPLAY_NAME)
    assert event.details == {"old": "Alice", "new": "Alice Liddell"}
    assert b"Alice Liddell" in client.get("/user/alice/").content


def test_too_long_display_name_is_a_form_error(client, user):
    client.force_login(user)
    response = client.post("/manage/account/", {"name": "x" * 101})
    assert response.status_code == 200 and "name" in response.context["form"].errors


def test_settings_page_warns_about_an_unverified_primary_email(client, db):
    unverified = UserFactory(username="eve", verified_email=False)
    client.force_login(unverified)
    assert b"Uploads are refused until your primary email address is verified" in client.get("/manage/account/").content


def test_profile_links_only_projects_with_releases(client, user):
    publish(user, "released-pkg", "1.0", kinds=("wheel",))
    services.create_project("empty-pkg", user)
    html = client.get("/user/alice/").content.decode()
    assert '<a class="card-title" href="/project/released-pkg/">released-pkg</a>' in html
    assert "empty-pkg" in html and 'href="/project/empty-pkg/"' not in html
    # Cards: latest version, release date, and the join date in the header.
    assert '<span class="version">1.0</span>' in html and "Released <time" in html and "Joined <time" in html
    assert client.get("/user/nobody/").status_code == 404


def test_security_history_lists_the_users_events_only(client, user, password, db):
    client.post("/account/login/", {"login": "alice", "password": "wrong-password-1"})
    client.post("/account/login/", {"login": "alice", "password": password})
    UserFactory(username="bob")
    client.post("/account/login/", {"login": "bob", "password": "wrong-password-1"})
    page = client.get("/manage/account/security/")
    assert page.status_code == 200
    rows = [e.tag for e in page.context["page"].object_list]
    assert rows == ["login", "login_failed"]
    html = page.content.decode()
    assert "Failed login" in html and "Logged in" in html and "127.0.0.1" in html


def test_delete_account_refused_while_sole_owner(client, user, password):
    services.create_project("solo-pkg", user)
    shared = services.create_project("shared-pkg", user)
    Role.objects.create(user=UserFactory(username="bob"), project=shared, role_name=Role.OWNER)
    client.force_login(user)
    reauthenticate(client, password)
    page = client.get("/manage/account/delete/")
    assert page.status_code == 200
    assert [p.name for p in page.context["blocking"]] == ["solo-pkg"]
    response = client.post("/manage/account/delete/", {"confirm_username": "alice"})
    assert response.status_code == 409 and b"solo-pkg" in response.content
    assert get_user_model().objects.filter(username="alice").exists()


def test_delete_account(client, user, password):
    shared = services.create_project("shared-pkg", user)
    Role.objects.create(user=UserFactory(username="bob"), project=shared, role_name=Role.OWNER)
    client.force_login(user)
    assert client.get("/manage/account/delete/").status_code == 302  # reauthentication first
    reauthenticate(client, password)
    wrong = client.post("/manage/account/delete/", {"confirm_username": "bob"})
    assert wrong.status_code == 200 and "confirm_username" in wrong.context["form"].errors
    response = client.post("/manage/account/delete/", {"confirm_username": "alice"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(username="alice").exists()
    assert list(shared.roles.values_list("user__username", flat=True)) == ["bob"]
    # Mirrors see the departure: the role removal is journaled and moves the serial.
    entry = shared.journal.latest("id")
    assert entry.action == "remove Owner alice"
    shared.refresh_from_db()
    assert shared.last_serial == entry.id
    assert client.get("/manage/account/").status_code == 302
