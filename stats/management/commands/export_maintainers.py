import csv
from contextlib import contextmanager
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from packages.models import Role
from stats.services import top_projects


class Command(BaseCommand):
    help = (
        "Write a CSV (username, name, email, projects) of the active, not frozen owners and maintainers "
        "of projects that had a release in the last N days: the recipients of an announcement. With "
        "--by-downloads: the maintainers of the most-downloaded projects (last 30 days), one row per project, "
        "most downloaded first (project, downloads, username, name, email)."
    )

    @contextmanager
    def _csv_writer(self, output):
        """A CSV writer on `output` (a path), or on stdout when it is empty."""
        try:
            stream = open(output, "w", newline="", encoding="utf-8") if output else self.stdout
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}") from None
        try:
            yield csv.writer(stream)
        finally:
            if output:
                stream.close()

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=365, help="Releases in the last N days (default 365).")
        parser.add_argument("--output", "-o", help="Write to this file instead of standard output.")
        parser.add_argument("--by-downloads", action="store_true", help="Rank projects by downloads instead.")
        parser.add_argument(
            "--top", type=int, default=100, help="With --by-downloads: this many projects (default 100)."
        )

    def handle(self, *args, days, output, by_downloads, top, **options):
        if days <= 0:
            raise CommandError("--days must be a positive number.")
        if by_downloads:
            return self._by_downloads(output, top)
        since = timezone.now() - timedelta(days=days)
        roles = (
            Role.objects.filter(project__releases__created__gte=since, user__is_active=True, user__is_frozen=False)
            .exclude(project__status="quarantined")
            .values_list("user_id", "project__name")
            .distinct()
        )
        projects = {}
        for user_id, project_name in roles:
            projects.setdefault(user_id, set()).add(project_name)
        users = get_user_model().objects.filter(pk__in=projects).order_by("username")
        with self._csv_writer(output) as writer:
            writer.writerow(["username", "name", "email", "projects"])
            for user in users.iterator():
                writer.writerow([user.username, user.name, user.email, " ".join(sorted(projects[user.pk]))])
        if output:
            self.stdout.write(f"Wrote {len(projects)} maintainers to {output}.")

    def _by_downloads(self, output, top):
        if top <= 0:
            raise CommandError("--top must be a positive number.")
        # Staff-only (a shell on the index): private projects are ranked too, since their
        # maintainers are the index's users as much as anyone's.
        ranked = top_projects(limit=top, include_private=True)
        roles = (
            Role.objects.filter(
                project__normalized_name__in=[normalized for _, normalized, _ in ranked],
                user__is_active=True,
                user__is_frozen=False,
            )
            .select_related("user", "project")
            .order_by("role_name", "user__username")
        )
        people = {}
        for role in roles:
            people.setdefault(role.project.normalized_name, []).append(role.user)
        with self._csv_writer(output) as writer:
            writer.writerow(["project", "downloads", "username", "name", "email"])
            for name, normalized, downloads in ranked:
                for user in people.get(normalized, []):
                    writer.writerow([name, downloads, user.username, user.name, user.email])
        if output:
            self.stdout.write(f"Wrote the maintainers of {len(ranked)} projects to {output}.")
