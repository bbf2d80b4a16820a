from django.db import migrations

DEFAULTS = [
    ("github-actions", "https://token.actions.githubusercontent.com", "github"),
    ("gitlab-com", "https://gitlab.com", "gitlab"),
]


def add_defaults(apps, schema_editor):
    issuer = apps.get_model("oidc", "OIDCIssuer")
    for name, url, kind in DEFAULTS:
        issuer.objects.get_or_create(url=url, defaults={"name": name, "kind": kind})


class Migration(migrations.Migration):
    dependencies = [("oidc", "0001_initial")]
    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
