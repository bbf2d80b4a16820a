"""A private project and everyone around it, for the tests of private projects (issue 19).

Rows are written directly where organizations/ has no service for them yet; the project's
privacy goes through packages.services.set_private like every other change.
"""

from dataclasses import dataclass, field

from django.db import transaction

from accounts.tests.factories import UserFactory
from accounts.tokens import issue_read_token, issue_token
from devtools.publish import publish
from packages import services
from packages.models import File, Project, Role

PRIVATE_NAME = "secret-pkg"
PUBLIC_NAME = "open-pkg"


def organization(name, *, private_capable=True, owner=None, members=()):
    from organizations.models import Organization, OrganizationRole

    org = Organization.objects.create(
        name=name, normalized_name=name, display_name=name.title(), private_capable=private_capable
    )
    if owner is not None:
        OrganizationRole.objects.create(organization=org, user=owner, role_name=OrganizationRole.OWNER)
    for member in members:
        OrganizationRole.objects.create(organization=org, user=member, role_name=OrganizationRole.MEMBER)
    return org


@dataclass
class World:
    """acme (private-capable) owns the private secret-pkg; open-pkg is public. Who is who:
    owner: acme's Owner and the project's Owner; member: acme Member, no project role;
    maintainer: a Maintainer of secret-pkg outside acme; stranger: nobody to either;
    outsider: a member of another organization (globex). Each has a read token ("…_token") of
    their own scope (`outsider_token` reads globex only)."""

    org: object
    other_org: object
    project: Project
    public: Project
    owner: object
    member: object
    maintainer: object
    stranger: object
    outsider: object
    tokens: dict = field(default_factory=dict)

    @property
    def wheel(self):
        return File.objects.get(release__project=self.project, packagetype="bdist_wheel")

    @property
    def names(self):
        """Every spelling of the private name a leak would show."""
        return (self.project.name, self.project.normalized_name, self.project.name.replace("-", "_"))


def private_world(prefix="", version="1.0", **dist_kwargs):
    """Build the World (usernames and names take `prefix`, so live-server tests can share a
    database with others); the private project has a wheel and an sdist."""
    owner = UserFactory(username=f"{prefix}owner")
    member = UserFactory(username=f"{prefix}member")
    maintainer = UserFactory(username=f"{prefix}maintainer")
    stranger = UserFactory(username=f"{prefix}stranger")
    outsider = UserFactory(username=f"{prefix}outsider")
    org = organization(f"{prefix}acme", owner=owner, members=[member])
    other_org = organization(f"{prefix}globex", owner=outsider)
    release = publish(owner, f"{prefix}{PRIVATE_NAME}", version, summary="Top secret", **dist_kwargs)
    project = release.project
    publish(owner, f"{prefix}{PUBLIC_NAME}", "1.0", summary="Out in the open", **dist_kwargs)
    with transaction.atomic():
        project.organization = org
        project.save(update_fields=["organization"])
        services.add_role(project, maintainer, Role.MAINTAINER, owner)
        services.set_private(project, True, owner)
    world = World(
        org=org,
        other_org=other_org,
        project=Project.objects.get(pk=project.pk),
        public=Project.objects.get(normalized_name=f"{prefix}{PUBLIC_NAME}"),
        owner=owner,
        member=member,
        maintainer=maintainer,
        stranger=stranger,
        outsider=outsider,
    )
    world.tokens = {
        "member": issue_read_token(member, "ci", organization=org).raw,
        "owner": issue_read_token(owner, "ci", organization=org).raw,
        "maintainer": issue_read_token(maintainer, "ci", project=project).raw,
        "outsider": issue_read_token(outsider, "ci", organization=other_org).raw,
        # Scoped to the project, but its user may not see it (the portal would not have issued it).
        "stranger": issue_read_token(stranger, "ci", project=project).raw,
        "owner_upload": issue_token(owner, "upload").raw,
    }
    return world
