"""packages/permissions.py's one rule, three ways (role_of, projects_of, the upload path's SQL):
own roles, team roles and organization Owners, for every person of the acme fixture."""

import pytest
from django.db import transaction

from core import rawsql
from organizations import services
from organizations.models import Team
from packages.models import Project, Role
from packages.permissions import has_role_sql, projects_of, role_of

pytestmark = pytest.mark.django_db

OWN, MNT = Role.OWNER, Role.MAINTAINER
EXPECTED = {  # person: (role on acme-lib, role on acme-app)
    "olga": (OWN, OWN),  # the organization's Owner
    "mona": (None, None),  # a Manager holds no project role of her own
    "meg": (None, None),  # a Member neither
    "tim": (MNT, None),  # team devs: Maintainer of acme-lib
    "lea": (OWN, None),  # team leads: Owner of acme-lib
    "carl": (MNT, None),  # a collaborator of acme-lib, outside the organization
    "sam": (None, None),
}


def _sql_has_role(user, project):
    sql = f"SELECT {has_role_sql('p')} FROM {rawsql.table(Project, 'p')} WHERE {rawsql.column(Project, 'id', 'p')} = %s"
    return bool(rawsql.fetch_one(sql, [user.pk, user.pk, user.pk, project.pk])[0])


def _assert_agree(acme, name, lib_role, app_role):
    user = acme.people[name]
    held = projects_of(user)
    for project, expected in ((acme.lib, lib_role), (acme.app, app_role)):
        assert role_of(user, project) == expected, (name, project.name)
        assert held.get(project.pk) == expected, (name, project.name)
        assert _sql_has_role(user, project) is (expected is not None), (name, project.name)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_person_has_the_role_the_rule_gives(acme, name):
    _assert_agree(acme, name, *EXPECTED[name])


def test_the_strongest_of_own_and_team_roles_wins(acme):
    with transaction.atomic():
        leads = Team.objects.get(name="leads")
        services.teams.add_member(leads, acme.tim, acme.olga)  # tim: Maintainer (devs) and Owner (leads)
    _assert_agree(acme, "tim", OWN, None)
    with transaction.atomic():
        services.teams.set_project_role(Team.objects.get(name="devs"), acme.app, OWN, acme.olga)
    _assert_agree(acme, "tim", OWN, OWN)


def test_a_team_of_another_organization_gives_nothing(acme):
    """A TeamProjectRole row pointing across organizations (never written by the services) is ignored."""
    from organizations.models import TeamProjectRole

    other = services.applications.create_organization("other-org", acme.sam, None)
    with transaction.atomic():
        team = services.teams.create_team(other, "intruders", acme.sam)
        services.teams.add_member(team, acme.sam, acme.sam)
    TeamProjectRole.objects.create(team=team, project=acme.lib, role_name=OWN)
    _assert_agree(acme, "sam", None, None)


def test_leaving_the_organization_ends_team_and_owner_roles_at_once(acme):
    from organizations.models import OrganizationRole

    with transaction.atomic():
        services.members.change_role(OrganizationRole.objects.get(user=acme.mona), "Owner", acme.olga)
        for name in ("tim", "lea", "olga"):
            services.members.remove_member(OrganizationRole.objects.get(user=acme.people[name]), acme.mona)
    for name in ("tim", "lea", "olga"):
        _assert_agree(acme, name, None, None)
    assert not acme.tim.teams.exists() and not acme.lea.teams.exists()


def test_moving_a_project_out_drops_team_and_organization_roles(acme):
    with transaction.atomic():
        services.projects.move_out(acme.lib, acme.olga)
    _assert_agree(acme, "tim", None, None)
    _assert_agree(acme, "lea", None, None)
    _assert_agree(acme, "carl", MNT, None)  # own roles stay
    _assert_agree(acme, "olga", OWN, OWN)  # no Owner of its own was left: the mover became one
    assert Role.objects.get(project=acme.lib, user=acme.olga).role_name == OWN
