"""WSGI entry point (gunicorn pypiapp.wsgi)."""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pypiapp.settings")
django.setup(set_prefix=False)

from pypiapp.handlers import Application  # noqa: E402 (needs the apps loaded)

application = Application()
