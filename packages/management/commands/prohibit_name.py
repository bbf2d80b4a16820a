from django.core.management.base import BaseCommand, CommandError

from packages import moderation

from ._helpers import get_user


class Command(BaseCommand):
    help = (
        "Prohibit project names (normalized): nobody can register them afterwards. "
        "Names come as arguments and/or from a file (one per line, '#' comments)."
    )

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", help="Project names to prohibit.")
        parser.add_argument("--file", help="Read more names from this file ('-' for standard input).")
        parser.add_argument("--comment", default="", help="Why (shown to staff in the admin).")
        parser.add_argument(
            "--remove-existing",
            action="store_true",
            help="Also remove existing projects with these names (journaled; cannot be undone).",
        )
        parser.add_argument("--reason", default="", help="Removal reason (defaults to the comment).")
        parser.add_argument("--by", help="Staff username recorded in the journal and admin history.")

    def handle(self, *args, names, file, comment, remove_existing, reason, by, **options):
        names = list(names)
        if file:
            import sys

            try:
                text = sys.stdin.read() if file == "-" else open(file, encoding="utf-8").read()
            except OSError as exc:
                raise CommandError(f"Cannot read {file}: {exc.strerror}") from None
            names.extend(moderation.parse_names(text))
        if not names:
            raise CommandError("Give at least one name (as arguments or with --file).")
        actor = get_user(by, required=False)
        try:
            added, existing, removed = moderation.prohibit_names(
                names, actor, comment or reason, remove_existing=remove_existing
            )
        except moderation.ModerationError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Prohibited {len(added)} name(s): {', '.join(added) or '-'}.")
        if existing:
            self.stdout.write(f"Already prohibited: {', '.join(existing)}.")
        if removed:
            self.stdout.write(f"Removed existing project(s): {', '.join(removed)}.")
