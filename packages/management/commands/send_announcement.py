import csv
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.template import TemplateSyntaxError

import outbox
from packages.tasks_announcements import render_announcement, send_announcement_email


def read_recipients(path):
    """Rows of a CSV with an `email` column (username, name, projects optional), deduplicated by email."""
    try:
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
    if not rows or "email" not in rows[0]:
        raise CommandError(f"{path} needs a header row with an 'email' column (e.g. from export_maintainers).")
    recipients, errors, seen = [], [], set()
    for line, row in enumerate(rows, start=2):
        email = (row.get("email") or "").strip()
        try:
            validate_email(email)
        except ValidationError:
            errors.append(f"line {line}: invalid email address {email!r}")
            continue
        if email.lower() in seen:
            continue
        seen.add(email.lower())
        recipients.append(
            {key: (row.get(key) or "").strip() for key in ("username", "name", "projects")} | {"email": email}
        )
    return recipients, errors


class Command(BaseCommand):
    help = (
        "Queue a templated email to every recipient of a CSV (columns: email, and optionally username, "
        "name, projects) through dramatiq, spaced out to at most --rate messages a minute. The subject "
        "and body are Django templates with {{ username }}, {{ name }}, {{ email }}, {{ projects }}, "
        "{{ SITE_NAME }} and {{ SITE_URL }}."
    )

    def add_arguments(self, parser):
        parser.add_argument("recipients", help="CSV file, e.g. the output of export_maintainers.")
        parser.add_argument("--subject", required=True, help="Subject template.")
        parser.add_argument("--body", required=True, help="File with the body template (plain text).")
        parser.add_argument("--rate", type=int, default=60, help="Messages per minute (default 60).")
        parser.add_argument("--skip-invalid", action="store_true", help="Skip rows with bad email addresses.")
        parser.add_argument("--dry-run", action="store_true", help="Show the first message and queue nothing.")

    def handle(self, *args, recipients, subject, body, rate, skip_invalid, dry_run, **options):
        if rate <= 0:
            raise CommandError("--rate must be a positive number of messages per minute.")
        try:
            body_template = Path(body).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot read {body}: {exc.strerror}") from None
        people, errors = read_recipients(recipients)
        for error in errors:
            self.stderr.write(error)
        if errors and not skip_invalid:
            raise CommandError(f"{len(errors)} invalid rows; fix them or pass --skip-invalid.")
        if not people:
            raise CommandError("No recipients.")
        try:
            first_subject, first_body = render_announcement(subject, body_template, people[0])
        except TemplateSyntaxError as exc:
            raise CommandError(f"Template error: {exc}") from None
        if dry_run:
            self.stdout.write(f"To: {people[0]['email']}\nSubject: {first_subject}\n\n{first_body}")
            self.stdout.write(f"Dry run: {len(people)} messages would be queued.")
            return
        interval = 60 / rate
        # All in the outbox or none: the first goes out on commit, the rest when due, spaced to the
        # rate (the periodic relay dispatches what is due once a minute), retried until sent.
        with transaction.atomic():
            for number, person in enumerate(people):
                if number == 0:
                    outbox.enqueue(send_announcement_email, subject, body_template, person)
                else:
                    outbox.schedule(
                        send_announcement_email, subject, body_template, person, after_seconds=number * interval
                    )
                if options["verbosity"] and (number + 1) % 500 == 0:
                    self.stderr.write(f"  queued {number + 1} of {len(people)}…")
        minutes = (len(people) - 1) * interval / 60
        self.stdout.write(f"Queued {len(people)} messages; the last goes out in about {minutes:.0f} minutes.")
