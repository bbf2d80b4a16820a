from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from accounts.services import create_user
from packages.flags import ensure_known_flags
from packages.staff_groups import ensure_staff_groups

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo-password-123"
DEMO_EMAIL = "demo@example.com"


class Command(BaseCommand):
    help = "Create the demo account used by `make run` (idempotent), the kill-switch rows and the staff groups."

    def handle(self, *args, **options):
        ensure_known_flags()
        ensure_staff_groups()
        if get_user_model().objects.filter(username=DEMO_USERNAME).exists():
            self.stdout.write(f"Demo account '{DEMO_USERNAME}' already exists.")
            return
        create_user(DEMO_USERNAME, DEMO_EMAIL, DEMO_PASSWORD, name="Demo Maintainer", is_staff=True, is_superuser=True)
        self.stdout.write(f"Created demo account '{DEMO_USERNAME}' with password '{DEMO_PASSWORD}'.")
