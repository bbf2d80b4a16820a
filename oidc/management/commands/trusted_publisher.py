"""Add, list and remove trusted publishers from the shell (scripts and tests)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from oidc import services
from oidc.models import OIDCIssuer, TrustedPublisher
from packages.models import Project
from packages.names import normalize_name


def _claims(pairs):
    claims = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise CommandError(f"--claim takes KEY=VALUE, not '{pair}'.")
        claims[key] = value
    return claims


class Command(BaseCommand):
    help = "Add, list or remove the trusted publishers of a project."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="PROJECT --issuer NAME --claim KEY=VALUE [...] [--pending --user USERNAME]")
        add.add_argument("project")
        add.add_argument("--issuer", required=True)
        add.add_argument("--claim", action="append", default=[], metavar="KEY=VALUE")
        add.add_argument("--pending", action="store_true", help="for a project that does not exist yet")
        add.add_argument("--user", help="who adds it (pending: the new project's Owner)")
        sub.add_parser("list", help="publishers of PROJECT (or all)").add_argument("project", nargs="?")
        sub.add_parser("remove", help="remove the publisher with this id").add_argument("id", type=int)

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(options)

    def _user(self, username, required):
        if not username:
            if required:
                raise CommandError("--pending needs --user USERNAME (the new project's Owner).")
            return None
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called '{username}'.")
        return user

    def _add(self, options):
        issuer = OIDCIssuer.objects.filter(name=options["issuer"]).first()
        if issuer is None:
            raise CommandError(f"No issuer called '{options['issuer']}' (manage.py oidc_issuer list).")
        claims = _claims(options["claim"])
        user = self._user(options["user"], required=options["pending"])
        try:
            if options["pending"]:
                publisher = services.add_pending_publisher(options["project"], issuer, claims, user)
            else:
                project = Project.objects.filter(normalized_name=normalize_name(options["project"])).first()
                if project is None:
                    raise CommandError(
                        f"No project called '{options['project']}' (use --pending to create it on first upload)."
                    )
                publisher = services.add_publisher(project, issuer, claims, user)
        except services.PublisherError as exc:
            raise CommandError(str(exc)) from None
        pending = " (pending)" if publisher.is_pending else ""
        self.stdout.write(f"Added trusted publisher {publisher.pk}{pending}: {publisher.label}")

    def _list(self, options):
        publishers = TrustedPublisher.objects.select_related("issuer", "project")
        if options["project"]:
            name = normalize_name(options["project"])
            publishers = publishers.filter(project__normalized_name=name) | publishers.filter(pending_name=name)
        for p in publishers:
            where = p.project.name if p.project else f"{p.pending_name} (pending)"
            self.stdout.write(f"{p.pk}\t{where}\t{p.issuer.name}\t{p.label}")

    def _remove(self, options):
        publisher = TrustedPublisher.objects.select_related("issuer", "project").filter(pk=options["id"]).first()
        if publisher is None:
            raise CommandError(f"No trusted publisher with id {options['id']}.")
        services.remove_publisher(publisher, None)
        self.stdout.write(f"Removed trusted publisher {options['id']}: {publisher.label}")
