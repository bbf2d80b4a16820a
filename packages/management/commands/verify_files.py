from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from packages import orphans
from packages.models import File
from packages.services.files import stored_sha256
from packages.storage import package_storage


class Command(BaseCommand):
    help = (
        "Check every stored distribution file (and PEP 658 .metadata file) against its recorded "
        "sha256 and size, then walk the storage for objects no file row refers to (orphans). Lists "
        "missing, corrupt and orphaned files; exits non-zero if there are any (orphans removed with "
        "--remove-orphans do not count)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", help="Only check this project's files (no storage walk).")
        parser.add_argument(
            "--remove-orphans", action="store_true", help="Delete orphaned objects older than the grace period."
        )
        parser.add_argument(
            "--grace-seconds",
            type=int,
            default=None,
            help=f"Orphans younger than this are kept (default ORPHAN_GRACE_SECONDS, "
            f"{settings.ORPHAN_GRACE_SECONDS}): they may belong to an upload in flight.",
        )

    def handle(self, *args, project, remove_orphans, grace_seconds, **options):
        storage = package_storage()
        files = File.objects.select_related("release__project").order_by("pk")
        if project:
            from ._helpers import get_project

            files = files.filter(release__project=get_project(project))
        total = files.count()
        missing, corrupt = [], []
        for number, file in enumerate(files.iterator(chunk_size=2000), start=1):
            checks = [(file.path, file.sha256_digest, file.size)]
            if file.has_metadata:
                checks.append((file.metadata_path, file.metadata_sha256, None))
            for path, expected_sha, expected_size in checks:
                try:
                    sha, size = stored_sha256(storage, path)
                except FileNotFoundError:
                    missing.append(path)
                    self.stdout.write(f"MISSING  {path} ({file.release.project.name} {file.release.version})")
                    continue
                if sha != expected_sha or (expected_size is not None and size != expected_size):
                    corrupt.append(path)
                    self.stdout.write(
                        f"CORRUPT  {path}: sha256 {sha}, {size} bytes; "
                        f"recorded {expected_sha}, {expected_size if expected_size is not None else '-'}"
                    )
            if options["verbosity"] and number % 1000 == 0:
                self.stderr.write(f"  checked {number} of {total} files…")
        found = [] if project else list(orphans.find_orphans(storage))
        removed = []
        if remove_orphans:
            removed, _kept = orphans.remove_orphans(found, grace_seconds, storage)
        for path, age in found:
            state = "removed" if path in removed else "kept: younger than the grace period" if remove_orphans else ""
            self.stdout.write(f"ORPHAN   {path} (no file row, {age / 3600:.1f} h old){'; ' + state if state else ''}")
        left = len(found) - len(removed)
        self.stdout.write(
            f"Checked {total} files: {len(missing)} missing, {len(corrupt)} corrupt; "
            f"{len(found)} orphaned objects in storage, {len(removed)} removed."
        )
        if missing or corrupt or left:
            raise CommandError(
                f"{len(missing)} missing and {len(corrupt)} corrupt stored files, {left} orphaned objects left."
            )
