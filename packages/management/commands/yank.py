from django.core.management.base import BaseCommand

from packages import services

from ._helpers import get_release, get_user


class Command(BaseCommand):
    help = "Yank a release (PEP 592): installers skip it unless it is pinned with ==."

    def add_arguments(self, parser):
        parser.add_argument("project")
        parser.add_argument("version")
        parser.add_argument("--reason", default="", help="Shown to users by pip.")
        parser.add_argument("--by", help="Username recorded in the journal.")

    def handle(self, *args, project, version, reason, by, **options):
        release = get_release(project, version)
        actor = get_user(by, required=False)
        if release.yanked:
            self.stdout.write(f"{release} is already yanked.")
            return
        services.yank_release(release, reason, actor)
        self.stdout.write(f"Yanked {release}{': ' + reason if reason else ''}.")
