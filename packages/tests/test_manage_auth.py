"""Authorization of the maintainer portal: every page and action, forged by every role that lacks the right.

Anonymous users are sent to the login page, strangers get 404, Maintainers get 403 on Owner-only
actions, and in each refused case nothing changes (no journal entry, same serial)."""

import pytest
from django.db import transaction

from accounts.tests.factories import UserFactory
from devtools.publish import publish
from packages import services
from packages.models import JournalEntry, Project, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(user):
    """alice owns `proj` (1.0 and 2.0, yanked 1.5); mia maintains it; bob (`other_user`) is a stranger."""
    publish(user, "proj", "1.0")
    publish(user, "proj", "2.0", kinds=("wheel",))
    yanked = publish(user, "proj", "1.5", kinds=("wheel",))
    project = Project.objects.get(name="proj")
    mia = UserFactory(username="mia")
    carl = UserFactory(username="carl")
    with transaction.atomic():
        services.yank_release(yanked, "bad", user)
        services.add_role(project, mia, Role.MAINTAINER, user)
        services.add_role(project, carl, Role.MAINTAINER, user)
        invitation, _ = services.invite(project, UserFactory(username="ivy"), Role.MAINTAINER, user)
    file = project.releases.get(version="1.0").files.get(packagetype="sdist")
    return {
        "project": project,
        "maintainer": mia,
        "other_role": Role.objects.get(user=carl),
        "file": file,
        "invitation": invitation,
    }


def actions(s):
    """(url, POST data or None for GET, who may do it: 'collaborator' or 'owner')."""
    base = "/manage/project/proj"
    return [
        (f"{base}/releases/", None, "collaborator"),
        (f"{base}/release/1.0/", None, "collaborator"),
        (f"{base}/history/", None, "collaborator"),
        (f"{base}/collaborators/", None, "collaborator"),
        (f"{base}/settings/", None, "collaborator"),
        (f"{base}/release/2.0/yank/", {"reason": "x"}, "collaborator"),
        (f"{base}/release/1.5/unyank/", {}, "collaborator"),
        (f"{base}/release/2.0/delete/", {"confirm": "2.0"}, "owner"),
        (f"{base}/release/1.0/file/{s['file'].pk}/delete/", {"confirm": s["file"].filename}, "owner"),
        (f"{base}/collaborators/invite/", {"who": "zed@example.com", "role_name": "Owner"}, "owner"),
        (f"{base}/collaborators/{s['other_role'].pk}/role/", {"role_name": "Owner"}, "owner"),
        (f"{base}/collaborators/{s['other_role'].pk}/remove/", {}, "owner"),
        (f"{base}/invitations/{s['invitation'].pk}/revoke/", {}, "owner"),
        (f"{base}/settings/status/", {"status": "archived"}, "owner"),
        (f"{base}/settings/delete/", {"confirm": "proj"}, "owner"),
    ]


def _request(client, url, data):
    return client.get(url) if data is None else client.post(url, data)


def _state():
    project = Project.objects.filter(name="proj").first()
    return (
        JournalEntry.objects.count(),
        project and project.last_serial,
        project and project.status,
        sorted(Role.objects.values_list("user__username", "role_name")),
    )


@pytest.fixture
def every_action(setup):
    UserFactory(username="zed")
    return actions(setup)


def test_anonymous_is_sent_to_login_and_nothing_changes(client, every_action):
    before = _state()
    for url, data, _ in every_action:
        response = _request(client, url, data)
        assert response.status_code == 302 and response["Location"].startswith("/account/login/"), url
    assert _state() == before


def test_stranger_gets_404_and_nothing_changes(client, every_action, other_user):
    client.force_login(other_user)
    before = _state()
    for url, data, _ in every_action:
        assert _request(client, url, data).status_code == 404, url
    assert _state() == before


def test_maintainer_gets_403_on_owner_actions_and_nothing_changes(client, every_action, setup):
    client.force_login(setup["maintainer"])
    before = _state()
    for url, data, who in every_action:
        if who == "owner":
            assert _request(client, url, data).status_code == 403, url
    assert _state() == before


def test_maintainer_may_view_and_yank(client, every_action, setup):
    client.force_login(setup["maintainer"])
    for url, data, who in every_action:
        if who == "collaborator":
            assert _request(client, url, data).status_code in (200, 302), url
    releases = {r.version: r.yanked for r in setup["project"].releases.all()}
    assert releases == {"1.0": False, "1.5": False, "2.0": True}


def test_get_on_post_only_actions_is_refused(client, every_action, user):
    client.force_login(user)
    before = _state()
    for url, data, _ in every_action:
        if data is not None:
            assert client.get(url).status_code == 405, url
    assert _state() == before


def test_csrf_is_enforced(every_action, user):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    before = _state()
    for url, data, _ in every_action:
        if data is not None:
            assert client.post(url, data).status_code == 403, url
    assert _state() == before


def test_someone_elses_invitation_cannot_be_answered(client, setup, other_user):
    client.force_login(other_user)
    invitation = setup["invitation"]
    for action in ("accept", "decline"):
        assert client.post(f"/manage/invitations/{invitation.pk}/{action}/").status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "pending"
    assert not Role.objects.filter(user=other_user).exists()


def test_maintainer_can_leave_but_cannot_remove_others(client, setup):
    client.force_login(setup["maintainer"])
    other = setup["other_role"]
    assert client.post(f"/manage/project/proj/collaborators/{other.pk}/remove/").status_code == 403
    own = Role.objects.get(user=setup["maintainer"])
    assert client.post(f"/manage/project/proj/collaborators/{own.pk}/remove/").status_code == 302
    assert not Role.objects.filter(pk=own.pk).exists()
    assert Role.objects.filter(pk=other.pk).exists()


def test_role_ids_of_another_project_are_not_reachable(client, setup, user):
    publish(user, "elsewhere", "1.0", kinds=("wheel",))
    foreign = Role.objects.get(project__name="elsewhere")
    client.force_login(user)
    assert client.post(f"/manage/project/proj/collaborators/{foreign.pk}/remove/").status_code == 404
    assert Role.objects.filter(pk=foreign.pk).exists()
    foreign_file = Project.objects.get(name="elsewhere").releases.get().files.get()
    url = f"/manage/project/proj/release/1.0/file/{foreign_file.pk}/delete/"
    assert client.post(url, {"confirm": foreign_file.filename}).status_code == 404


def test_invitation_link_only_works_for_the_invitee(client, setup, other_user, user):
    from packages.models import RoleInvitation
    from packages.services.invitations import hash_token

    raw = "known-token-for-test"
    RoleInvitation.objects.filter(pk=setup["invitation"].pk).update(token=hash_token(raw))
    client.force_login(other_user)
    assert client.get(f"/manage/invitations/{raw}/").status_code == 404
    client.force_login(setup["invitation"].invitee)
    assert client.get(f"/manage/invitations/{raw}/").status_code == 200
    assert client.get("/manage/invitations/not-the-token/").status_code == 404
