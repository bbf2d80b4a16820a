"""manage.py for the benchmark: `migrate --run-syncdb` builds tables from the current models.

The benchmark measures the working tree, whose models may be ahead of its migrations.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pypiapp.settings")


class _NoMigrations(dict):
    def __contains__(self, item):
        return True

    def __getitem__(self, item):
        return None


if __name__ == "__main__":
    from django.conf import settings

    settings.MIGRATION_MODULES = _NoMigrations()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
