from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from accounts import moderation


class Command(BaseCommand):
    help = (
        "Freeze an account (no login, no upload; its sessions and API tokens are revoked), "
        "or lift a freeze with --unfreeze. A reason is required and kept in the security history."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="Why (recorded in the account's security history).")
        parser.add_argument("--unfreeze", action="store_true", help="Lift the freeze instead.")
        parser.add_argument("--by", help="Staff username recorded in the admin history.")

    def handle(self, *args, username, reason, unfreeze, by, **options):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named '{username}'.")
        actor = None
        if by:
            actor = User.objects.filter(username=by, is_staff=True).first()
            if actor is None:
                raise CommandError(f"No staff user named '{by}'.")
        try:
            if unfreeze:
                moderation.unfreeze_user(user, actor, reason)
                self.stdout.write(f"Unfroze '{username}'. Revoked tokens stay revoked.")
            else:
                revoked = moderation.freeze_user(user, actor, reason)
                self.stdout.write(
                    f"Froze '{username}': revoked {revoked['tokens']} tokens and {revoked['sessions']} sessions."
                )
        except moderation.ModerationError as exc:
            raise CommandError(str(exc)) from None
