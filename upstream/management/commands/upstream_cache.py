from django.core.management.base import BaseCommand, CommandError

from packages.names import normalize_name
from upstream import pages, retention, stored
from upstream.models import UpstreamProject


def _when(moment):
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


class Command(BaseCommand):
    help = (
        "What the upstream proxy has cached, and managing it: `list` (per upstream; with names or "
        "--projects, per project), `refresh NAME...` (ask the upstreams for the pages now), `purge NAME...` "
        "(delete the cached files: rows, then objects; the page is asked again on the next request), "
        "`retention [--dry-run]` (apply UPSTREAM_RETENTION_DAYS and UPSTREAM_CACHE_MAX_BYTES now)."
    )

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "refresh", "purge", "retention"])
        parser.add_argument("names", nargs="*", help="Project names (list, refresh, purge).")
        parser.add_argument("--upstream", help="list: only this upstream's projects.")
        parser.add_argument("--projects", action="store_true", help="list: one line per cached project.")
        parser.add_argument("--dry-run", action="store_true", help="retention: say what would be evicted.")

    def handle(self, *args, action, names, **options):
        names = [normalize_name(name) for name in names]
        if action in ("refresh", "purge") and not names:
            raise CommandError(f"Name the projects to {action}.")
        getattr(self, f"_{action}")(names, **options)

    def _list(self, names, upstream, projects, **options):
        if names or projects or upstream:
            rows = stored.projects(upstream=upstream, names=names)
            self.stdout.write("project\tupstream\tpage fetched\tfiles\tbytes\tlast download")
            for row in rows:
                self.stdout.write(
                    f"{row.normalized_name}\t{row.upstream}\t{_when(row.fetched_at)}\t{row.files}\t{row.bytes}\t"
                    f"{_when(row.last_download)}"
                )
            unknown = sorted(set(names) - {row.normalized_name for row in rows})
            if unknown:
                raise CommandError(f"Not cached from an upstream: {', '.join(unknown)}")
            return
        total = stored.Totals()
        self.stdout.write("upstream\tprojects\tfiles\tbytes\tlast download")
        for row in stored.summary():
            name = row.upstream if row.configured else f"{row.upstream} (no longer configured)"
            self.stdout.write(f"{name}\t{row.projects}\t{row.files}\t{row.bytes}\t{_when(row.last_download)}")
            total.add(stored.Totals(row.files, row.bytes))
        self.stdout.write(
            f"Cached: {total.files} files, {total.bytes} bytes; {stored.misses()} names no upstream knows."
        )

    def _known(self, names):
        known = set(UpstreamProject.objects.filter(normalized_name__in=names).values_list("normalized_name", flat=True))
        unknown = [name for name in names if name not in known]
        if unknown:
            raise CommandError(f"Not cached from an upstream: {', '.join(unknown)}")

    def _refresh(self, names, **options):
        self._known(names)
        failed = []
        for name in names:
            try:
                page = stored.refresh_project(name)
            except pages.Unavailable as exc:
                failed.append(name)
                self.stderr.write(f"{name}: the upstreams failed, the last copy stays: {exc}")
                continue
            if page is None:
                self.stdout.write(f"{name}: no upstream knows it now")
            else:
                self.stdout.write(f"{name}: {len(page.row.files)} files on the page from {page.row.upstream}")
        if failed:
            raise CommandError(f"Not refreshed: {', '.join(failed)}")

    def _purge(self, names, **options):
        self._known(names)
        for name in names:
            purged = stored.purge_project(name)
            self.stdout.write(f"{name}: purged {purged.files} cached files ({purged.bytes} bytes)")

    def _retention(self, names, dry_run, **options):
        self.stdout.write(retention.run(dry_run=dry_run).line(dry_run))
