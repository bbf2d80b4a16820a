from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts.tokens import issue_token
from packages.models import Project
from packages.names import normalize_name


class Command(BaseCommand):
    help = "Create an API token for USERNAME and print it (it is shown only once)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--project", help="Scope the token to this existing project.")
        parser.add_argument("--name", default="manage.py token", help="A label for the token.")
        parser.add_argument("--days", type=int, help="Expire the token after this many days.")

    def handle(self, *args, username, project, name, days, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named '{username}'.")
        scoped = None
        if project:
            scoped = Project.objects.filter(normalized_name=normalize_name(project)).first()
            if scoped is None:
                raise CommandError(f"No project named '{project}'. A project-scoped token needs an existing project.")
            if not scoped.roles.filter(user=user).exists():
                raise CommandError(f"'{username}' has no role on project '{scoped.name}'.")
        expires = timezone.now() + timedelta(days=days) if days else None
        issued = issue_token(user, name, project=scoped, expires=expires)
        self.stdout.write(issued.raw)
