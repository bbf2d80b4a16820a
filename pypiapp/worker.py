"""Entry point for dramatiq workers: `dramatiq pypiapp.worker` (see `make worker`)."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pypiapp.settings")
django.setup()

from core import broker  # noqa: E402,F401  (the broker must exist before actors load)
from core.tasks import discover_task_modules  # noqa: E402 (after django.setup(), like the apps it imports)

discover_task_modules()
