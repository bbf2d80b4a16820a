from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Development tooling: sample data (seed_dev_data, ensure_demo_user), sample distributions, test support.

    Nothing in the index imports this app (an import-linter contract in pyproject.toml);
    only tests, bench/ and its own commands do."""

    name = "devtools"
