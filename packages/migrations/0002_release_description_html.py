"""Release.description_html: the README rendered once (core/readme.py). Existing releases are
rendered here, each within the same budget as an upload (one that can't be rendered is kept as
escaped plain text), so no page view ever renders one."""
from django.db import migrations, models

BATCH = 200


def render_existing(apps, schema_editor):
    from core.readme import render_or_fallback

    Release = apps.get_model("packages", "Release")
    ids = list(Release.objects.exclude(description="").order_by("id").values_list("id", flat=True))
    for start in range(0, len(ids), BATCH):
        releases = list(Release.objects.filter(id__in=ids[start:start + BATCH])
                        .only("id", "description", "description_content_type"))
        for release in releases:
            release.description_html = render_or_fallback(release.description, release.description_content_type)
        Release.objects.bulk_update(releases, ["description_html"])

class Migration(migrations.Migration):
    dependencies = [
        ("packages", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="release",
            name="description_html",
            field=models.TextField(blank=True, editable=False, help_text="The description rendered and sanitized "
                                   "once, at upload (core/readme.py); pages show this."),
        ),
        migrations.RunPython(render_existing, migrations.RunPython.noop, elidable=True),
    ]
