from django.core.management.base import BaseCommand, CommandError

from packages.management.commands._helpers import get_project, get_user
from packages.names import normalize_name

from ...models import Organization
from ...services import OrganizationError, projects


class Command(BaseCommand):
    help = "Move a project into an organization (--organization NAME) or out of its organization (--out)."

    def add_arguments(self, parser):
        parser.add_argument("project")
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument("--organization", help="The organization to move it into.")
        where.add_argument("--out", action="store_true", help="Move it out of its organization (made public).")
        parser.add_argument("--owner", help="With --out: the Owner it gets when it has none of its own.")
        parser.add_argument("--by", help="Username recorded in the histories.")

    def handle(self, *args, project, organization, out, owner, by, **options):
        found = get_project(project)
        actor = get_user(by, required=False)
        try:
            if out:
                name = found.organization.name if found.organization_id else ""
                projects.move_out(found, actor, new_owner=get_user(owner, required=False))
                self.stdout.write(f"Moved {found.name} out of {name}.")
                return
            target = Organization.objects.filter(normalized_name=normalize_name(organization)).first()
            if target is None:
                raise CommandError(f"No organization named '{organization}'.")
            projects.move_in(found, target, actor)
        except OrganizationError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Moved {found.name} into {target.name}.")
