from django.core.management.base import BaseCommand, CommandError

from packages.management.commands._helpers import get_user

from ...models import OrganizationKind
from ...services import OrganizationError, applications


class Command(BaseCommand):
    help = "Create an organization with USERNAME as its Owner (staff's direct creation, no application)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--owner", required=True, help="Username of its first Owner.")
        parser.add_argument("--display-name", default="", help="Shown on its page (default: the name).")
        parser.add_argument("--kind", choices=OrganizationKind.values, default=OrganizationKind.COMMUNITY)
        parser.add_argument("--private-capable", action="store_true", help="Its Owners may make projects private.")

    def handle(self, *args, name, owner, display_name, kind, private_capable, **options):
        try:
            organization = applications.create_organization(
                name, get_user(owner), None, display_name=display_name, kind=kind, private_capable=private_capable
            )
        except OrganizationError as exc:
            raise CommandError(str(exc)) from None
        capable = " (private-capable)" if organization.private_capable else ""
        self.stdout.write(f"Created the organization {organization.name}{capable}, Owner {owner}.")
