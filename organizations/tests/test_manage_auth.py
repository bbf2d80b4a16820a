"""Authorization of the organization management area: every page and action, by everyone.

Anonymous users go to the login page; strangers and project collaborators outside the
organization get 404; a member whose role may not do an action gets 403; in each refused case
nothing changes (no history line, no journal entry, same members, teams and projects). Each
allowed role's request succeeds (tested one at a time, on a fresh fixture)."""

import pytest
from django.db import transaction

from organizations import services
from organizations.models import (
    Organization,
    OrganizationEvent,
    OrganizationInvitation,
    OrganizationRole,
    Team,
    TeamMember,
    TeamProjectRole,
)
from packages.models import JournalEntry, Project, Role

pytestmark = pytest.mark.django_db

ANY = {"olga", "mona", "meg", "tim", "lea"}  # every member
OWNER = {"olga"}
OWNER_MANAGER = {"olga", "mona"}
OUTSIDERS = ("sam", "carl")  # carl is a collaborator of acme-lib, not a member


@pytest.fixture
def world(acme):
    """The fixture plus what the actions point at: a pending invitation, a project of olga's
    outside any organization (only she may move it in)."""
    from devtools.publish import publish

    with transaction.atomic():
        invitation, _ = services.members.invite(acme.org, acme.ivy, "Member", acme.olga)
    solo = publish(acme.olga, "olgas-own", "1.0", kinds=("wheel",)).project
    for name in ("mona", "lea", "tim"):  # each owns a loose project too: being its Owner is not enough
        publish(acme.people[name], f"{name}s-own", "1.0", kinds=("wheel",))
    devs = Team.objects.get(name="devs")
    return {
        "acme": acme,
        "invitation": invitation,
        "solo": solo,
        "meg_role": OrganizationRole.objects.get(user=acme.meg),
        "tim_in_devs": TeamMember.objects.get(team=devs, user=acme.tim),
        "devs_on_lib": TeamProjectRole.objects.get(team=devs),
    }


def actions(w):
    """(url, POST data or None for GET, who may: a set of usernames)."""
    base = "/manage/organization/acme"
    return [
        (f"{base}/projects/", None, ANY),
        (f"{base}/members/", None, ANY),
        (f"{base}/teams/", None, ANY),
        (f"{base}/team/devs/", None, ANY),
        (f"{base}/settings/", None, OWNER),
        (f"{base}/history/", None, OWNER_MANAGER),
        (f"{base}/settings/", {"display_name": "Evil", "url": "", "description": "x"}, OWNER),
        (f"{base}/members/invite/", {"who": "sam", "role_name": "Owner"}, OWNER),
        (f"{base}/members/{w['meg_role'].pk}/role/", {"role_name": "Owner"}, OWNER),
        (f"{base}/members/{w['meg_role'].pk}/remove/", {}, OWNER | {"meg"}),  # meg may leave
        (f"{base}/invitations/{w['invitation'].pk}/revoke/", {}, OWNER),
        (f"{base}/teams/create/", {"name": "newteam"}, OWNER_MANAGER),
        (f"{base}/team/devs/members/add/", {"username": "meg"}, OWNER_MANAGER),
        (f"{base}/team/devs/members/{w['tim_in_devs'].pk}/remove/", {}, OWNER_MANAGER),
        (f"{base}/team/devs/projects/set/", {"project": "acme-app", "role_name": "Owner"}, OWNER_MANAGER),
        (f"{base}/team/devs/projects/{w['devs_on_lib'].pk}/remove/", {}, OWNER_MANAGER),
        (f"{base}/team/devs/delete/", {}, OWNER_MANAGER),
        (f"{base}/projects/new/", {"name": "acme-new"}, OWNER_MANAGER),
        (f"{base}/projects/add/", {"project": "olgas-own"}, OWNER),
        (f"{base}/projects/acme-app/remove/", {}, OWNER),
    ]


def _request(client, url, data):
    return client.get(url) if data is None else client.post(url, data)


def _state():
    return (
        OrganizationEvent.objects.count(),
        JournalEntry.objects.count(),
        sorted(OrganizationRole.objects.values_list("user__username", "role_name")),
        sorted(OrganizationInvitation.objects.values_list("invitee__username", "status")),
        sorted(Team.objects.values_list("name", flat=True)),
        sorted(TeamMember.objects.values_list("team__name", "user__username")),
        sorted(TeamProjectRole.objects.values_list("team__name", "project__name", "role_name")),
        sorted(Project.objects.values_list("name", "organization__name")),
        sorted(Role.objects.values_list("project__name", "user__username", "role_name")),
        list(Project.objects.values_list("last_serial", flat=True).order_by("pk")),
        Organization.objects.get(name="acme").display_name,
    )


def test_anonymous_is_sent_to_login_and_nothing_changes(client, world):
    before = _state()
    for url, data, _ in actions(world):
        response = _request(client, url, data)
        assert response.status_code == 302 and response["Location"].startswith("/account/login/"), url
    assert _state() == before


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_outsiders_get_404_and_nothing_changes(client, world, outsider):
    client.force_login(world["acme"].people[outsider])
    before = _state()
    for url, data, _ in actions(world):
        assert _request(client, url, data).status_code == 404, url
    assert _state() == before


@pytest.mark.parametrize("name", ["mona", "meg", "tim", "lea"])
def test_members_get_403_on_what_their_role_may_not_do_and_nothing_changes(client, world, name):
    """Managers, Members, and team members (a team Owner of acme-lib included) forge every request."""
    client.force_login(world["acme"].people[name])
    before = _state()
    for url, data, allowed in actions(world):
        if name not in allowed:
            assert _request(client, url, data).status_code == 403, url
    assert _state() == before


class _Row:
    pk = 0  # collection needs the URLs before the fixture's rows exist: placeholders stand in


def _cases():
    placeholders = {key: _Row() for key in ("meg_role", "invitation", "tim_in_devs", "devs_on_lib")}
    for index, (url, data, allowed) in enumerate(actions(placeholders)):
        for name in sorted(allowed):
            label = url.split("/acme/", 1)[1] + ("" if data is None else "(POST)")
            yield pytest.param(index, name, id=f"{label}-{name}")


@pytest.mark.parametrize(("index", "name"), list(_cases()))
def test_each_allowed_role_succeeds(client, world, index, name):
    url, data, _ = actions(world)[index]
    client.force_login(world["acme"].people[name])
    before = _state()
    response = _request(client, url, data)
    assert response.status_code in (200, 302), (url, response.status_code, response.content[:500])
    if data is not None:
        assert _state() != before, url  # the change happened
        assert OrganizationEvent.objects.count() > before[0], url  # and the history says so


def test_get_on_post_only_actions_is_refused(client, world):
    client.force_login(world["acme"].olga)
    before = _state()
    for url, data, _ in actions(world):
        if data is not None and not url.endswith("/settings/"):
            assert client.get(url).status_code == 405, url
    assert _state() == before


def test_csrf_is_enforced(world):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world["acme"].olga)
    before = _state()
    for url, data, _ in actions(world):
        if data is not None:
            assert client.post(url, data).status_code == 403, url
    assert _state() == before


def test_ids_of_another_organization_are_not_reachable(client, world):
    acme = world["acme"]
    other = services.applications.create_organization("globex", acme.olga, None)
    with transaction.atomic():
        services.members.invite(other, acme.sam, "Member", acme.olga)
        team = services.teams.create_team(other, "ops", acme.olga)
    foreign_role = OrganizationRole.objects.get(organization=other)
    foreign_invitation = OrganizationInvitation.objects.get(organization=other)
    client.force_login(acme.olga)
    before = _state()
    base = "/manage/organization/acme"
    assert client.post(f"{base}/members/{foreign_role.pk}/remove/").status_code == 404
    assert client.post(f"{base}/members/{foreign_role.pk}/role/", {"role_name": "Member"}).status_code == 404
    assert client.post(f"{base}/invitations/{foreign_invitation.pk}/revoke/").status_code == 404
    assert client.get(f"{base}/team/{team.name}/").status_code == 404
    # a team may only get a role on its own organization's projects
    response = client.post(f"{base}/team/devs/projects/set/", {"project": "olgas-own", "role_name": "Owner"})
    assert response.status_code == 400
    assert _state() == before


def test_moving_in_needs_an_owner_of_the_project_too(client, world):
    """mona is promoted to Owner of the organization; she still cannot move olga's project in,
    and lea, a team Owner of acme-lib, cannot move acme-lib out."""
    acme = world["acme"]
    with transaction.atomic():
        services.members.change_role(OrganizationRole.objects.get(user=acme.mona), "Owner", acme.olga)
    client.force_login(acme.mona)
    before = _state()
    response = client.post("/manage/organization/acme/projects/add/", {"project": "olgas-own"})
    assert response.status_code == 400  # not among the projects she may move
    assert _state() == before
    client.force_login(acme.lea)
    assert client.post("/manage/organization/acme/projects/acme-lib/remove/").status_code == 403
    assert _state() == before
