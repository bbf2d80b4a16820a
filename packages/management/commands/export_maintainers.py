import csv
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from packages.models import Role


class Command(BaseCommand):
    help = (
        "Write a CSV (username, name, email, projects) of the active, not frozen owners and maintainers "
        "of projects that had a release in the last N days: the recipients of an announcement."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=365, help="Releases in the last N days (default 365).")
        parser.add_argument("--output", "-o", help="Write to this file instead of standard output.")

    def handle(self, *args, days, output, **options):
        if days <= 0:
            raise CommandError("--days must be a positive number.")
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
        try:
            stream = open(output, "w", newline="", encoding="utf-8") if output else self.stdout
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}") from None
        try:
            writer = csv.writer(stream)
            writer.writerow(["username", "name", "email", "projects"])
            for user in users.iterator():
                writer.writerow([user.username, user.name, user.email, " ".join(sorted(projects[user.pk]))])
        finally:
            if output:
                stream.close()
        if output:
            self.stdout.write(f"Wrote {len(projects)} maintainers to {output}.")
