"""An organization with one person in each position, for the permission and upload tests.

acme (Owner olga, Manager mona, Member meg; team "devs" with member tim holds Maintainer on
acme-lib, team "leads" with member lea holds Owner on acme-lib), projects acme-lib (collaborator
carl, Maintainer, outside the organization) and acme-app (no team), and a stranger sam. Every
role combination the tests need is one of these people."""

from dataclasses import dataclass

import pytest
from django.db import transaction

from accounts.tests.factories import UserFactory
from devtools.publish import publish
from organizations import services
from organizations.models import Organization, OrganizationRole
from packages import services as package_services
from packages.models import Project, Role


@dataclass
class Acme:
    org: Organization
    lib: Project
    app: Project
    people: dict

    def __getattr__(self, name):
        try:
            return self.people[name]
        except KeyError:
            raise AttributeError(name) from None


def member(organization, user, role_name):
    return OrganizationRole.objects.create(organization=organization, user=user, role_name=role_name)


@pytest.fixture
def acme(db):
    people = {name: UserFactory(username=name) for name in ("olga", "mona", "meg", "tim", "lea", "carl", "sam", "ivy")}
    org = services.applications.create_organization("acme", people["olga"], None, display_name="Acme Inc.")
    member(org, people["mona"], OrganizationRole.MANAGER)
    for name in ("meg", "tim", "lea"):
        member(org, people[name], OrganizationRole.MEMBER)
    lib = publish(people["olga"], "acme-lib", "1.0", kinds=("wheel",)).project
    app = publish(people["olga"], "acme-app", "1.0", kinds=("wheel",)).project
    with transaction.atomic():
        services.projects.move_in(lib, org, people["olga"])
        services.projects.move_in(app, org, people["olga"])
        # olga's own Owner roles go: the organization's Owners are Owners of its projects anyway.
        Role.objects.filter(user=people["olga"]).delete()
        package_services.add_role(lib, people["carl"], Role.MAINTAINER, people["olga"])
        devs = services.teams.create_team(org, "devs", people["olga"])
        services.teams.add_member(devs, people["tim"], people["olga"])
        services.teams.set_project_role(devs, lib, Role.MAINTAINER, people["olga"])
        leads = services.teams.create_team(org, "leads", people["olga"])
        services.teams.add_member(leads, people["lea"], people["olga"])
        services.teams.set_project_role(leads, lib, Role.OWNER, people["olga"])
    lib.refresh_from_db()
    app.refresh_from_db()
    return Acme(org=org, lib=lib, app=app, people=people)
