"""Manage the OIDC issuers whose identity tokens the index exchanges (staff)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from oidc import kinds, services
from oidc.exchange import FAILURE_CODES, failure_counts
from oidc.models import OIDCIssuer


class Command(BaseCommand):
    help = "Add, list, enable or disable OIDC issuers for Trusted Publishing."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add an issuer: NAME ISSUER_URL --kind KIND")
        add.add_argument("name")
        add.add_argument("url", metavar="ISSUER_URL")
        add.add_argument("--kind", required=True, choices=list(kinds.KINDS))
        add.add_argument("--disabled", action="store_true", help="add it disabled")
        sub.add_parser("list", help="list issuers (and the exchange's failure counts)")
        for action in ("disable", "enable"):
            sub.add_parser(action, help=f"{action} an issuer").add_argument("name")

    def handle(self, *args, action, **options):
        if action == "add":
            try:
                issuer = services.add_issuer(
                    options["name"], options["url"], options["kind"], enabled=not options["disabled"]
                )
            except ValidationError as exc:
                raise CommandError(" ".join(exc.messages)) from None
            self.stdout.write(f"Added issuer {issuer.name} ({issuer.kind}) {issuer.url}")
        elif action == "list":
            for issuer in OIDCIssuer.objects.all():
                state = "enabled" if issuer.enabled else "disabled"
                self.stdout.write(f"{issuer.name}\t{issuer.kind}\t{state}\t{issuer.url}")
            counts = {code: n for code, n in failure_counts(FAILURE_CODES).items() if n}
            if counts:
                self.stdout.write("Refused exchanges: " + ", ".join(f"{c}={n}" for c, n in counts.items()))
        else:
            updated = OIDCIssuer.objects.filter(name=options["name"]).update(enabled=action == "enable")
            if not updated:
                raise CommandError(f"No issuer called '{options['name']}'.")
            self.stdout.write(f"{action.capitalize()}d issuer {options['name']}")
