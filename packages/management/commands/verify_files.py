import hashlib

from django.core.management.base import BaseCommand, CommandError

from packages.models import File
from packages.storage import package_storage

CHUNK = 1024 * 1024


def _digest(storage, path):
    """(sha256 hex, size) of a stored file."""
    sha256 = hashlib.sha256()
    size = 0
    with storage.open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            sha256.update(chunk)
            size += len(chunk)
    return sha256.hexdigest(), size


class Command(BaseCommand):
    help = (
        "Check every stored distribution file (and PEP 658 .metadata file) against its recorded "
        "sha256 and size. Lists missing and corrupt files; exits non-zero if there are any."
    )

    def add_arguments(self, parser):
        parser.add_argument("--project", help="Only check this project's files.")

    def handle(self, *args, project, **options):
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
                    sha, size = _digest(storage, path)
                except FileNotFoundError:
                    missing.append(path)
                    self.stdout.write(f"MISSING  {path} ({file.release.project.name} {file.release.version})")
                    continue
                if sha != expected_sha or (expected_size is not None and size != expected_size):
                    corrupt.append(path)
                    self.stdout.write(f"CORRUPT  {path}: sha256 {sha}, {size} bytes; "
                                      f"recorded {expected_sha}, {expected_size if expected_size is not None else '-'}")
            if options["verbosity"] and number % 1000 == 0:
                self.stderr.write(f"  checked {number} of {total} files…")
        self.stdout.write(f"Checked {total} files: {len(missing)} missing, {len(corrupt)} corrupt.")
        if missing or corrupt:
            raise CommandError(f"{len(missing)} missing and {len(corrupt)} corrupt stored files.")
