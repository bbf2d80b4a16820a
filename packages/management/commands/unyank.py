from django.core.management.base import BaseCommand

from packages import services

from ._helpers import get_release, get_user


class Command(BaseCommand):
    help = "Un-yank a release so installers consider it again."

    def add_arguments(self, parser):
        parser.add_argument("project")
        parser.add_argument("version")
        parser.add_argument("--by", help="Username recorded in the journal.")

    def handle(self, *args, project, version, by, **options):
        release = get_release(project, version)
        if not release.yanked:
            self.stdout.write(f"{release} is not yanked.")
            return
        services.unyank_release(release, get_user(by, required=False))
        self.stdout.write(f"Un-yanked {release}.")
