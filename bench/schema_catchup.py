"""Add the columns the models gained since a kept benchmark database was loaded.

`migrate --run-syncdb` (bench/manage_bench.py) creates missing tables but never alters an
existing one, so `bench/pypi_size.py --reuse-db` runs this after it: every concrete field whose
column its table lacks is added through the schema editor (with its default, which PostgreSQL
stores once instead of rewriting 7,000,000 rows).
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pypiapp.settings")

import django

django.setup()

from django.apps import apps
from django.db import connection


def catch_up():
    added = []
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for model in apps.get_models():
            table = model._meta.db_table
            if table not in tables or model._meta.proxy or not model._meta.managed:
                continue
            columns = {c.name for c in connection.introspection.get_table_description(cursor, table)}
            for field in model._meta.local_concrete_fields:
                if field.column not in columns:
                    with connection.schema_editor() as editor:
                        editor.add_field(model, field)
                    added.append(f"{table}.{field.column}")
    return added


if __name__ == "__main__":
    print("columns added:", ", ".join(catch_up()) or "none")
