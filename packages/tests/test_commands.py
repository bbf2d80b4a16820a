"""manage.py commands for developers and operators, through call_command, including their errors."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from accounts.models import ApiToken
from accounts.tests.factories import UserFactory
from devtools.publish import publish
from packages.models import ProhibitedProjectName, Project, Release
from packages.storage import package_storage

pytestmark = pytest.mark.django_db


def run(*args, **kwargs):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


def test_verify_files_reports_missing_and_corrupt(user, own_package_storage):
    release = publish(user, "checked-pkg", "1.0")
    wheel, sdist = release.files.order_by("packagetype")
    storage = package_storage()
    storage.delete(sdist.path)
    with storage.open(wheel.path, "wb") as handle:
        handle.write(b"not the wheel any more")
    with pytest.raises(CommandError, match="1 missing and 1 corrupt"):
        run("verify_files", "--project", "checked-pkg")
    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify_files", stdout=out, stderr=io.StringIO())
    assert f"MISSING  {sdist.path}" in out.getvalue() and f"CORRUPT  {wheel.path}" in out.getvalue()
    with pytest.raises(CommandError, match="No project named"):
        run("verify_files", "--project", "nope")


def test_prohibit_name(user, tmp_path):
    publish(user, "doomed", "1.0")
    names = tmp_path / "names.txt"
    names.write_text("from-file  # typo\nDoomed\n")
    staff = UserFactory(username="staffer", is_staff=True)
    out, _ = run(
        "prohibit_name",
        "Some.Name",
        "--file",
        str(names),
        "--comment",
        "squats",
        "--remove-existing",
        "--by",
        "staffer",
    )
    assert "Prohibited 3 name(s): some-name, from-file, doomed." in out and "Removed existing project(s): doomed" in out
    assert not Project.objects.filter(name="doomed").exists()
    assert ProhibitedProjectName.objects.get(name="doomed").prohibited_by == staff
    assert "Already prohibited: some-name" in run("prohibit_name", "some_name")[0]
    with pytest.raises(CommandError, match="at least one name"):
        run("prohibit_name")
    with pytest.raises(CommandError, match="not a valid project name"):
        run("prohibit_name", "no way!")
    with pytest.raises(CommandError, match="Cannot read"):
        run("prohibit_name", "--file", str(tmp_path / "missing.txt"))
    with pytest.raises(CommandError, match="No user named"):
        run("prohibit_name", "x-y", "--by", "ghost")


def test_freeze_user(user, token_for):
    token_for(user)
    out, _ = run("freeze_user", "alice", "--reason", "spam wave")
    assert "Froze 'alice': revoked 1 tokens" in out
    assert not ApiToken.objects.filter(user=user, revoked__isnull=True).exists()
    with pytest.raises(CommandError, match="already frozen"):
        run("freeze_user", "alice", "--reason", "again")
    assert "Unfroze 'alice'" in run("freeze_user", "alice", "--reason", "ok", "--unfreeze")[0]
    with pytest.raises(CommandError, match="No user named 'ghost'"):
        run("freeze_user", "ghost", "--reason", "x")
    with pytest.raises(CommandError, match="reason"):
        run("freeze_user", "alice")
    with pytest.raises(CommandError, match="No staff user"):
        run("freeze_user", "alice", "--reason", "x", "--by", "alice")


def test_reindex_search(user):
    publish(user, "findable", "1.0", summary="Quite unique words")
    out, _ = run("reindex_search")
    if connection.vendor == "postgresql":
        assert out.strip() == f"Reindexed {Project.objects.count()} projects."
        assert Project.objects.get(name="findable").search_vector
    else:
        assert "no stored search index" in out


def test_export_maintainers(user, other_user):
    publish(user, "fresh-pkg", "1.0")
    old = publish(other_user, "old-pkg", "1.0")
    Release.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=400))
    frozen = UserFactory(username="frozen")
    publish(frozen, "frozen-pkg", "1.0")
    run("freeze_user", "frozen", "--reason", "spam")
    out, _ = run("export_maintainers", "--days", "30")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert rows == [{"username": "alice", "name": "Alice", "email": "alice@example.com", "projects": "fresh-pkg"}]
    assert {r["username"] for r in csv.DictReader(io.StringIO(run("export_maintainers", "--days", "500")[0]))} == {
        "alice",
        "bob",
    }
    with pytest.raises(CommandError, match="positive"):
        run("export_maintainers", "--days", "0")


def test_send_announcement(tmp_path, user, other_user, django_capture_on_commit_callbacks):
    recipients = tmp_path / "to.csv"
    recipients.write_text(
        "username,name,email,projects\nalice,Alice,alice@example.com,a-pkg\n"
        "bob,Bob,bob@example.com,b-pkg\nbob,Bob,BOB@example.com,b-pkg\n"
    )
    body = tmp_path / "body.txt"
    body.write_text("Hello {{ name }},\n\nyour projects {{ projects }} on {{ SITE_NAME }} <need> attention.\n")
    out, _ = run(
        "send_announcement", str(recipients), "--subject", "News for {{ username }}", "--body", str(body), "--dry-run"
    )
    assert "Subject: News for alice" in out and "2 messages would be queued" in out and not mail.outbox

    with django_capture_on_commit_callbacks(execute=True):
        out, _ = run(
            "send_announcement",
            str(recipients),
            "--subject",
            "News for {{ username }}",
            "--body",
            str(body),
            "--rate",
            "120",
        )
    assert "Queued 2 messages" in out
    assert [m.to[0] for m in mail.outbox] == ["alice@example.com"]  # the first at once
    from outbox.models import Message

    assert Message.objects.get().due > timezone.now()  # the next spaced by the rate (0.5 s)
    Message.objects.update(due=timezone.now())
    run("run_periodic", "outbox")
    assert sorted(m.to[0] for m in mail.outbox) == ["alice@example.com", "bob@example.com"]
    alice = next(m for m in mail.outbox if m.to == ["alice@example.com"])
    assert alice.subject.endswith("News for alice")
    assert "your projects a-pkg" in alice.body and "<need>" in alice.body

    bad = tmp_path / "bad.csv"
    bad.write_text("email\nnot-an-address\ncarol@example.com\n")
    with pytest.raises(CommandError, match="1 invalid rows"):
        run("send_announcement", str(bad), "--subject", "x", "--body", str(body))
    with pytest.raises(CommandError, match="Cannot read"):
        run("send_announcement", str(tmp_path / "none.csv"), "--subject", "x", "--body", str(body))
    with pytest.raises(CommandError, match="Template error"):
        run("send_announcement", str(recipients), "--subject", "{% bad %}", "--body", str(body))
    noheader = tmp_path / "noheader.csv"
    noheader.write_text("who\nalice\n")
    with pytest.raises(CommandError, match="'email' column"):
        run("send_announcement", str(noheader), "--subject", "x", "--body", str(body))


def test_yank_and_unyank(user):
    publish(user, "yanky", "1.0")
    assert "Yanked yanky 1.0: broken" in run("yank", "yanky", "1.0", "--reason", "broken")[0]
    assert Release.objects.get().yanked
    assert "Un-yanked" in run("unyank", "yanky", "1.0")[0]
    with pytest.raises(CommandError, match="has no release 2.0"):
        run("yank", "yanky", "2.0")
    with pytest.raises(CommandError, match="not a valid PEP 440"):
        run("yank", "yanky", "one")


@pytest.mark.parametrize(
    "command",
    [
        "seed_dev_data",
        "ensure_demo_user",
        "prohibit_name",
        "freeze_user",
        "reindex_search",
        "verify_files",
        "export_maintainers",
        "send_announcement",
        "yank",
        "unyank",
        "create_user",
        "create_token",
    ],
)
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        call_command(command, "--help")
    assert exit_info.value.code == 0
    assert "usage:" in capsys.readouterr().out
