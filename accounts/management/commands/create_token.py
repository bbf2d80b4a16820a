from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.tokens import issue_read_token, issue_token
from organizations.models import Organization
from packages.models import Project
from packages.names import normalize_name
from packages.permissions import role_of, user_can_see


class Command(BaseCommand):
    help = (
        "Create an API token for USERNAME and print it (it is shown only once): an upload token (for the "
        "account, --project NAME or --organization NAME), or with --read a read token for pip and uv, scoped to "
        "--organization NAME or --project NAME."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--project", help="Scope the token to this existing project.")
        parser.add_argument(
            "--read", action="store_true", help="A read token (installs private projects; never uploads)."
        )
        parser.add_argument("--organization", help="Scope the token to this organization's projects.")
        parser.add_argument("--name", default="manage.py token", help="A label for the token.")
        parser.add_argument("--days", type=int, help="Expire the token after this many days.")

    def handle(self, *args, username, project, read, organization, name, days, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named '{username}'.")
        expires = timezone.now() + timedelta(days=days) if days else None
        if read:
            issued = self._read_token(user, project, organization, name, expires)
        else:
            if project and organization:
                raise CommandError("An upload token has one scope: --project NAME or --organization NAME.")
            scope = self._project(user, project, role=True)
            issued = issue_token(
                user, name, project=scope, organization=self._organization(user, organization), expires=expires
            )
        self.stdout.write(issued.raw)

    def _project(self, user, name, *, role):
        if not name:
            return None
        scoped = Project.objects.filter(normalized_name=normalize_name(name)).first()
        if scoped is None:
            raise CommandError(f"No project named '{name}'. A project-scoped token needs an existing project.")
        if role and role_of(user, scoped) is None:
            raise CommandError(f"'{user.username}' has no role on project '{scoped.name}'.")
        if not role and not user_can_see(user, scoped):
            raise CommandError(f"'{user.username}' cannot see project '{scoped.name}'.")
        return scoped

    def _read_token(self, user, project, organization, name, expires):
        if bool(project) == bool(organization):
            raise CommandError("A read token needs one scope: --organization NAME or --project NAME.")
        if project:
            return issue_read_token(user, name, project=self._project(user, project, role=False), expires=expires)
        return issue_read_token(user, name, organization=self._organization(user, organization), expires=expires)

    def _organization(self, user, name):
        if not name:
            return None
        org = Organization.objects.filter(normalized_name=normalize_name(name)).first()
        if org is None:
            raise CommandError(f"No organization named '{name}'.")
        if not org.roles.filter(user=user).exists():
            raise CommandError(f"'{user.username}' is not a member of organization '{org.name}'.")
        return org
