from django.core.management.base import BaseCommand, CommandError

from upstream import indexes, prefetch, reqfile


class Command(BaseCommand):
    help = (
        "Fetch what a requirements file needs into the upstream cache (pages, every file of each chosen "
        "version, PEP 658 metadata files), for installs that must work without the upstreams later. "
        "Resolved for each --python-version x --platform (default: this server's), newest version each "
        "requirement admits, dependencies followed; no backtracking (conflicts are reported). Exits "
        "non-zero when something could not be prefetched."
    )

    def add_arguments(self, parser):
        parser.add_argument("-r", "--requirement", action="append", required=True, help="A requirements file.")
        parser.add_argument(
            "--python-version", action="append", default=[], help="Target Python, e.g. 3.11 (repeatable)."
        )
        parser.add_argument(
            "--platform", action="append", default=[], choices=sorted(prefetch.PLATFORMS), help="Target (repeatable)."
        )

    def handle(self, *args, requirement, python_version, platform, **options):
        if not indexes.configured():
            raise CommandError("No upstream index is configured (UPSTREAM_INDEX_URL or the admin): nothing to fetch.")
        parsed = reqfile.RequirementsFile()
        for path in requirement:
            reqfile.read(path, into=parsed)
        for line in parsed.ignored:
            self.stderr.write(f"ignored: {line}")
        if parsed.problems:
            raise CommandError("\n".join(str(p) for p in parsed.problems))
        run = prefetch.Prefetch(
            parsed.requirements, parsed.constraints, prefetch.targets(python_version, platform)
        ).run()
        for (name, version), chosen in sorted(run.chosen.items()):
            self.stdout.write(f"{name} {version}\t{chosen['origin']}\t{', '.join(chosen['targets'])}")
        self.stdout.write(
            f"Prefetched {len(run.chosen)} releases: {len(run.fetched)} files fetched now "
            f"({run.fetched_bytes} bytes), {len(run.already)} were cached already."
        )
        if run.problems:
            raise CommandError(f"{len(run.problems)} problems:\n" + "\n".join(str(problem) for problem in run.problems))
