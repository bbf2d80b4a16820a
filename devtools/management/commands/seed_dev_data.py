from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.services import create_user
from devtools.publish import publish
from packages import moderation, services
from packages.flags import ensure_known_flags
from packages.models import ProhibitedProjectName, Project, ProjectReport, Release, Role
from packages.names import canonical_version
from packages.staff_groups import ADMINS, MODERATORS, ensure_staff_groups

from ._bulk_seed import seed_bulk_projects

# The documented logins (README "For developers"). Development data only.
ADMIN = ("admin", "admin@example.com", "admin-password-123", "Site Admin")
MODERATOR = ("moderator", "moderator@example.com", "moderator-password-123", "Mo Derator")
MAINTAINER_PASSWORD = "dev-password-123"
MAINTAINERS = [("alice", "Alice Liddell"), ("bob", "Bob Builder"), ("carol", "Carol Coder")]

README = """# {name}

{summary}.

## Install

```sh
pip install {name}
```

## Use

```python
import {module}
print({module}.__version__)
```
"""

# name, owner, collaborators, versions, yanked {version: reason}, extra metadata
PROJECTS = [
    (
        "requests-lite",
        "alice",
        [("bob", Role.MAINTAINER)],
        ["1.0.0", "1.1.0", "2.0.0", "2.1.0rc1"],
        {"1.1.0": "Broken import on Python 3.12"},
        {"keywords": "http,client", "summary": "HTTP for tiny humans"},
    ),
    (
        "datakit",
        "carol",
        [("alice", Role.MAINTAINER)],
        ["0.9", "1.0", "1.5"],
        {},
        {"keywords": "data,tables", "summary": "Small tables in pure Python", "requires_python": ">=3.9"},
    ),
    (
        "tiny-utils",
        "bob",
        [("carol", Role.OWNER)],
        ["0.1.0", "0.2.0"],
        {"0.1.0": "Wrong license file"},
        {"keywords": "utilities", "summary": "Helpers nobody else wrote yet"},
    ),
    ("sample-cli", "alice", [], ["3.0.0", "3.1.0"], {}, {"keywords": "cli", "summary": "A command-line example"}),
    ("evil-helper", "bob", [], ["0.0.1"], {}, {"summary": "Totally harmless helper"}),
]
QUARANTINED = "evil-helper"
PROHIBITED = [("requestz-lite", "Typosquat of requests-lite"), ("python-dateutils", "Typosquat of a popular name")]
CLASSIFIERS = [
    "Programming Language :: Python :: 3",
    "License :: OSI Approved :: MIT License",
    "Operating System :: OS Independent",
]


class Command(BaseCommand):
    help = (
        "Fill the database with realistic development data (idempotent): an admin (admin / "
        "admin-password-123), a moderator (moderator / moderator-password-123), maintainers alice, bob and "
        "carol (password dev-password-123), projects with several releases of real wheels and sdists that "
        "pip installs, yanked releases, collaborators, a quarantined project, prohibited names and an "
        "open report. --projects N adds N more small projects in bulk for benchmarks."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--projects",
            type=int,
            default=0,
            help="Also create this many benchmark projects (bench-project-000001, …) in bulk.",
        )
        parser.add_argument("--releases", type=int, default=1, help="Releases per bulk project (default 1).")
        parser.add_argument(
            "--without-files", action="store_true", help="Bulk projects get releases but no stored files (fastest)."
        )
        parser.add_argument("--batch-size", type=int, default=1000, help="Rows per bulk insert (default 1000).")

    def handle(self, *args, projects, releases, without_files, batch_size, **options):
        if projects < 0 or releases < 1 or batch_size < 1:
            raise CommandError("--projects must be >= 0, --releases and --batch-size >= 1.")
        call_command("ensure_demo_user", stdout=self.stdout)
        ensure_known_flags()
        ensure_staff_groups()
        users = self._users()
        self._projects(users)
        self._moderation(users)
        if projects:
            created = seed_bulk_projects(
                projects,
                users["alice"],
                releases=releases,
                with_files=not without_files,
                batch_size=batch_size,
                progress=self._progress if options["verbosity"] else None,
            )
            self.stdout.write(f"Bulk: created {created} new benchmark projects ({projects - created} existed).")
        self.stdout.write(
            self.style.SUCCESS(f"Development data ready: log into /admin/ as '{ADMIN[0]}' with password '{ADMIN[2]}'.")
        )

    def _progress(self, done, total, seconds):
        self.stderr.write(f"  {done}/{total} benchmark projects ({done / max(seconds, 0.001):.0f}/s)")

    def _user(self, username, email, password, name, **flags):
        User = get_user_model()
        user = User.objects.filter(username=username).first()
        if user is None:
            user = create_user(username, email, password, name=name, **flags)
            self.stdout.write(f"Created user '{username}'.")
        return user

    def _users(self):
        users = {}
        users["admin"] = self._user(*ADMIN, is_staff=True, is_superuser=True)
        users["moderator"] = self._user(*MODERATOR, is_staff=True)
        users["admin"].groups.add(Group.objects.get(name=ADMINS))
        users["moderator"].groups.add(Group.objects.get(name=MODERATORS))
        for username, name in MAINTAINERS:
            users[username] = self._user(username, f"{username}@example.com", MAINTAINER_PASSWORD, name)
        return users

    def _projects(self, users):
        for name, owner, collaborators, versions, yanked, extra in PROJECTS:
            module = name.replace("-", "_")
            for version in versions:
                project = Project.objects.filter(normalized_name=name).first()
                if project and Release.objects.filter(project=project, canonical_version=canonical_version(version)):
                    continue
                summary = extra["summary"]
                publish(
                    users[owner],
                    name,
                    version,
                    summary=summary,
                    requires_python=extra.get("requires_python"),
                    description=README.format(name=name, summary=summary, module=module),
                    extra_headers=[("Classifier", c) for c in CLASSIFIERS],
                    metadata={
                        "keywords": extra.get("keywords", ""),
                        "author": users[owner].name,
                        "license_expression": "MIT",
                        "classifiers": CLASSIFIERS,
                        "description": README.format(name=name, summary=summary, module=module),
                        "description_content_type": "text/markdown",
                        "project_urls": {
                            "Homepage": f"https://example.com/{name}",
                            "Source": f"https://example.com/{name}/src",
                        },
                    },
                )
                self.stdout.write(f"Published {name} {version}.")
            project = Project.objects.get(normalized_name=name)
            for username, role_name in collaborators:
                if not Role.objects.filter(project=project, user=users[username]).exists():
                    with transaction.atomic():
                        services.add_role(project, users[username], role_name, users[owner])
            for version, reason in yanked.items():
                release = Release.objects.get(project=project, canonical_version=canonical_version(version))
                if not release.yanked:
                    with transaction.atomic():
                        services.yank_release(release, reason, users[owner])

    def _moderation(self, users):
        admin = users["admin"]
        project = Project.objects.get(normalized_name=QUARANTINED)
        if not project.is_quarantined and not project.reports.exists():
            report = ProjectReport.objects.create(
                project=project,
                project_name=project.name,
                reporter=users["carol"],
                kind="malware",
                summary="setup.py downloads and runs a script from a pastebin.",
            )
            moderation.handle_report(report, "quarantine", admin, "Confirmed: remote code download at install")
            self.stdout.write(f"Quarantined {project.name}.")
        tiny = Project.objects.get(normalized_name="tiny-utils")
        if not tiny.reports.exists():
            ProjectReport.objects.create(
                project=tiny,
                project_name=tiny.name,
                reporter=users["alice"],
                kind="spam",
                summary="The README is full of advertising links.",
            )
        for name, comment in PROHIBITED:
            if not ProhibitedProjectName.objects.filter(name=name).exists():
                moderation.prohibit_names([name], admin, comment)
