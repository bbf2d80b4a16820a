"""Stored README HTML from before headings were demoted (core/readme.py demote_headings): the
project page's only h1 is the project's name. Only rows still holding an h1 are touched."""
from django.db import migrations

BATCH = 500


def demote_stored(apps, schema_editor):
    from core.readme import demote_headings

    Release = apps.get_model("packages", "Release")
    ids = list(Release.objects.filter(description_html__contains="<h1").values_list("id", flat=True))
    for start in range(0, len(ids), BATCH):
        releases = list(Release.objects.filter(id__in=ids[start:start + BATCH]).only("id", "description_html"))
        for release in releases:
            release.description_html = demote_headings(release.description_html)
        Release.objects.bulk_update(releases, ["description_html"])


class Migration(migrations.Migration):
    dependencies = [("packages", "0003_file_trusted_publisher_and_provenance")]
    operations = [migrations.RunPython(demote_stored, migrations.RunPython.noop)]
