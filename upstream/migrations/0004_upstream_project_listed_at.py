"""UpstreamProject.listed_at: when an upstream first served the name here (the /simple/ listing's
change marker, upstream/listing.py). Names cached before it are listed from their last fetch."""

from django.db import migrations, models
from django.db.models import F


def list_cached(apps, schema_editor):
    UpstreamProject = apps.get_model("upstream", "UpstreamProject")
    UpstreamProject.objects.filter(is_miss=False).update(listed_at=F("fetched_at"))


class Migration(migrations.Migration):

    dependencies = [
        ("upstream", "0003_upstream_file_last_downloaded_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="upstreamproject",
            name="listed_at",
            field=models.DateTimeField(blank=True, db_index=True, null=True),
        ),
        migrations.RunPython(list_cached, migrations.RunPython.noop),
    ]
