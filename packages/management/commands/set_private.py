from django.core.management.base import BaseCommand, CommandError

from packages import services

from ._helpers import get_project, get_user


class Command(BaseCommand):
    help = (
        "Make PROJECT private (only people with a role on it or in its organization see it; it must be "
        "in a private-capable organization), or public again with --off. Journaled; purges the front caches."
    )

    def add_arguments(self, parser):
        parser.add_argument("project")
        parser.add_argument("--off", action="store_true", help="Make the project public again.")
        parser.add_argument("--reason", default="", help="Recorded in the project's history.")
        parser.add_argument("--by", help="Username recorded in the journal.")

    def handle(self, *args, project, off, reason, by, **options):
        found = get_project(project)
        actor = get_user(by, required=False)
        private = not off
        if found.is_private == private:
            self.stdout.write(f"{found.name} is already {'private' if private else 'public'}.")
            return
        try:
            services.set_private(found, private, actor, reason)
        except services.PrivacyRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{found.name} is now {'private' if private else 'public'}.")
