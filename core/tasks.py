"""Helpers for dramatiq workers. Request code sends work through the outbox (outbox.enqueue)."""

import importlib

from django.apps import apps


def discover_task_modules() -> None:
    """Import every installed app's tasks.py so workers know all actors."""
    for config in apps.get_app_configs():
        try:
            importlib.import_module(f"{config.name}.tasks")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.tasks":
                raise
