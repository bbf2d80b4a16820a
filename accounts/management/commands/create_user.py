from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from accounts.services import create_user


class Command(BaseCommand):
    help = "Create a user with a verified primary email address (for scripts and tests)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", required=True)
        parser.add_argument("--password", required=True)
        parser.add_argument("--name", default="", help="Display name.")
        parser.add_argument("--staff", action="store_true", help="Make the user staff and superuser.")
        parser.add_argument("--unverified", action="store_true", help="Leave the email address unverified.")

    def handle(self, *args, username, email, password, name, staff, unverified, **options):
        try:
            user = create_user(
                username, email, password, name=name, is_staff=staff, is_superuser=staff, verified=not unverified
            )
        except ValidationError as exc:
            raise CommandError("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())) from None
        except IntegrityError:
            raise CommandError(f"A user with username '{username}' or email '{email}' already exists.") from None
        self.stdout.write(f"Created user '{user.username}' <{email}>{' (staff)' if staff else ''}.")
