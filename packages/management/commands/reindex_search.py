from django.core.management.base import BaseCommand

from packages import search


class Command(BaseCommand):
    help = (
        "Rebuild the stored full-text search index (Project.search_vector) of every project. "
        "Only PostgreSQL keeps one; on other databases search reads the tables directly and this does nothing."
    )

    def handle(self, *args, **options):
        if not search.uses_full_text():
            self.stdout.write(
                "This database has no stored search index (search matches the tables directly); nothing to do."
            )
            return
        verbosity = options["verbosity"]

        def progress(count):
            if verbosity and count % 1000 == 0:
                self.stderr.write(f"  {count} projects reindexed…")

        count = search.reindex_all(progress)
        self.stdout.write(f"Reindexed {count} projects.")
