from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import import_string


def run_job(target):
    """A job is "app.module.function" (returns a one-line summary) or "command:NAME" (a
    management command, its output passed through)."""
    if target.startswith("command:"):
        call_command(target.removeprefix("command:"))
        return None
    return import_string(target)()


class Command(BaseCommand):
    help = (
        "Run periodic jobs (settings.PERIODIC_JOBS) once and exit: the one entry point the systemd "
        "timers in deploy/systemd/ call. With no names, runs every job; one failing job does not "
        "stop the others, and the command then exits non-zero."
    )

    def add_arguments(self, parser):
        parser.add_argument("jobs", nargs="*", help="Job names (default: all).")
        parser.add_argument("--list", action="store_true", help="List the jobs and exit.")

    def handle(self, *args, jobs, list, **options):
        if list:
            for name, path in settings.PERIODIC_JOBS.items():
                self.stdout.write(f"{name}\t{path}")
            return
        unknown = sorted(set(jobs) - set(settings.PERIODIC_JOBS))
        if unknown:
            raise CommandError(f"Unknown job(s) {', '.join(unknown)}; known: {', '.join(settings.PERIODIC_JOBS)}")
        failed = []
        for name in jobs or settings.PERIODIC_JOBS:
            try:
                summary = run_job(settings.PERIODIC_JOBS[name])
            except Exception as exc:  # noqa: BLE001  (one failing job, whatever it raised, does not stop the others)
                failed.append(name)
                self.stderr.write(f"{name}: failed: {type(exc).__name__}: {exc}")
                continue
            self.stdout.write(summary or f"{name}: done")
        if failed:
            raise CommandError(f"{len(failed)} job(s) failed: {', '.join(failed)}")
