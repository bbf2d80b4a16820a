"""Uploads to an organization's projects, by every person of the acme fixture and with every
token scope: own roles, team roles and the organization's Owners may upload; nobody else, and
a refused upload changes nothing. A token scoped to the organization creates projects in it
for its Owners and Managers only. A frozen organization's projects take no uploads."""

import pytest
from django.db import transaction

from accounts.tokens import issue_token
from api.tests.upload_support import post, snapshot, wheel
from organizations import services
from organizations.models import OrganizationRole
from packages.models import JournalEntry, Project

pytestmark = pytest.mark.django_db

MAY_UPLOAD_TO_LIB = {"olga", "tim", "lea", "carl"}  # Owner, team Maintainer, team Owner, collaborator
MAY_UPLOAD_TO_APP = {"olga"}
EVERYONE = ("olga", "mona", "meg", "tim", "lea", "carl", "sam")


def _upload(client, token, name, version, **headers):
    filename, data = wheel(name, version)
    return post(client, token, filename, data, name=name, version=version, headers=headers)


def _token(user, **scope):
    return issue_token(user, "test", **scope).raw


@pytest.mark.parametrize("name", EVERYONE)
@pytest.mark.parametrize("project", ["acme-lib", "acme-app"])
@pytest.mark.parametrize("scope", ["account", "organization"])
def test_who_may_upload_with_an_account_or_organization_token(client, acme, name, project, scope):
    user = acme.people[name]
    token = _token(user, organization=acme.org) if scope == "organization" else _token(user)
    allowed = name in (MAY_UPLOAD_TO_LIB if project == "acme-lib" else MAY_UPLOAD_TO_APP)
    before = snapshot()
    response = _upload(client, token, project, "2.0")
    if allowed:
        assert response.status_code == 200, response.content
        assert Project.objects.get(name=project).releases.filter(version="2.0").exists()
    else:
        assert response.status_code == 403, response.content
        assert f"isn't allowed to upload to project '{project}'" in response.reason_phrase
        assert snapshot() == before


@pytest.mark.parametrize("name", sorted(MAY_UPLOAD_TO_LIB))
def test_a_project_token_works_while_its_user_has_a_role_only(client, acme, name):
    user = acme.people[name]
    token = _token(user, project=acme.lib)
    assert _upload(client, token, "acme-lib", "2.0").status_code == 200
    assert _upload(client, token, "acme-app", "2.0").status_code == 403  # another project: out of scope
    with transaction.atomic():
        if name == "carl":  # a collaborator: the project's own Owner removes him
            from packages import services as package_services
            from packages.models import Role

            package_services.remove_collaborator(Role.objects.get(user=user), acme.olga)
        else:
            if name == "olga":  # the last Owner cannot go: give the organization another first
                services.members.change_role(OrganizationRole.objects.get(user=acme.mona), "Owner", acme.olga)
            services.members.remove_member(OrganizationRole.objects.get(user=user), acme.mona)
    before = snapshot()
    response = _upload(client, token, "acme-lib", "3.0")
    assert response.status_code == 403 and "isn't allowed to upload" in response.reason_phrase
    assert snapshot() == before


def test_an_organization_token_does_not_reach_other_projects(client, acme):
    from devtools.publish import publish

    publish(acme.olga, "olgas-own", "1.0", kinds=("wheel",))
    token = _token(acme.olga, organization=acme.org)
    before = snapshot()
    response = _upload(client, token, "olgas-own", "2.0")
    assert response.status_code == 403
    assert "it is scoped to organization 'acme'" in response.reason_phrase
    assert snapshot() == before


@pytest.mark.parametrize("name", EVERYONE)
def test_an_organization_token_creates_projects_there_for_owners_and_managers(client, acme, name):
    user = acme.people[name]
    if name in ("carl", "sam"):
        return  # outsiders can't hold such a token: the form offers only their organizations
    token = _token(user, organization=acme.org)
    before = snapshot()
    response = _upload(client, token, f"acme-{name}-new", "1.0")
    if name in ("olga", "mona"):
        assert response.status_code == 200, response.content
        project = Project.objects.get(name=f"acme-{name}-new")
        assert project.organization == acme.org
        assert project.roles.get().user == user  # its creator is its Owner
        actions = list(JournalEntry.objects.filter(project=project).values_list("action", flat=True))
        assert "created in organization acme" in actions and "create" in actions
        assert acme.org.events.filter(action=f"create project acme-{name}-new").exists()
    else:
        assert response.status_code == 403
        assert "only its Owners and Managers can" in response.reason_phrase
        assert snapshot() == before


def test_an_account_token_creates_projects_outside_any_organization(client, acme):
    assert _upload(client, _token(acme.mona), "monas-new", "1.0").status_code == 200
    assert Project.objects.get(name="monas-new").organization is None


def test_a_frozen_organization_takes_no_uploads(client, acme):
    with transaction.atomic():
        services.moderation.freeze(acme.org, None, "abuse report under review")
    before = snapshot()
    for token, name in (
        (_token(acme.olga), "acme-lib"),
        (_token(acme.tim, project=acme.lib), "acme-lib"),
        (_token(acme.olga, organization=acme.org), "acme-brand-new"),
    ):
        response = _upload(client, token, name, "9.0", HTTP_ACCEPT="application/json")
        assert response.status_code == 403, name
        assert "The organization 'acme' is frozen by the index staff" in response.reason_phrase
        assert response.json()["error_code"] == "organization_frozen"
    assert snapshot() == before
    with transaction.atomic():
        services.moderation.unfreeze(acme.org, None, "cleared")
    assert _upload(client, _token(acme.olga), "acme-lib", "9.0").status_code == 200


def test_a_project_cannot_take_an_organizations_name(client, acme, user, token_for):
    before = snapshot()
    response = _upload(client, token_for(user), "ACME", "1.0")
    assert response.status_code == 400
    assert "is an organization's name on this index" in response.reason_phrase
    assert snapshot() == before


@pytest.mark.parametrize("name", ["tim", "olga"])
def test_a_team_members_or_organization_owners_upload_costs_no_more_queries(
    client, acme, name, django_assert_max_num_queries
):
    """The role through a team or the organization is read in the project lock's one query."""
    from api.tests.test_queries import UPLOAD_QUERIES

    token = _token(acme.people[name])
    assert _upload(client, token, "acme-lib", "2.0").status_code == 200  # sets the token's "last used"
    with django_assert_max_num_queries(UPLOAD_QUERIES):
        response = _upload(client, token, "acme-lib", "2.1")
    assert response.status_code == 200, response.content
