"""Helpers for sending dramatiq messages from request code."""
import importlib

from django.apps import apps
from django.db import transaction


def discover_task_modules():
    """Import every installed app's tasks.py so workers know all actors."""
    for config in apps.get_app_configs():
        try:
            importlib.import_module(f"{config.name}.tasks")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.tasks":
                raise


def send_on_commit(actor, *args, **kwargs):
    """Queue a message once the surrounding transaction commits (never for rolled-back work)."""
    transaction.on_commit(lambda: actor.send(*args, **kwargs))
