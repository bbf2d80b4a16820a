"""The development commands (seed_dev_data, ensure_demo_user), through call_command."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from packages.models import File, JournalEntry, ProhibitedProjectName, Project, ProjectReport, Release

pytestmark = pytest.mark.django_db


def run(*args, **kwargs):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


def test_seed_dev_data_is_realistic_and_idempotent(client, settings, own_package_storage):
    run("seed_dev_data")
    counts = (Project.objects.count(), Release.objects.count(), File.objects.count(), JournalEntry.objects.count())
    out, _ = run("seed_dev_data")
    assert "log into /admin/ as 'admin'" in out
    assert counts == (
        Project.objects.count(),
        Release.objects.count(),
        File.objects.count(),
        JournalEntry.objects.count(),
    )

    assert client.login(username="admin", password="admin-password-123")
    assert client.get("/admin/packages/projectreport/").status_code == 302  # staff need 2FA...
    settings.DEBUG = True  # ...except the development accounts, with DEBUG on (make run)
    assert client.get("/admin/packages/projectreport/").status_code == 200
    page = client.get("/simple/requests-lite/").content.decode()
    assert "requests_lite-2.0.0-py3-none-any.whl" in page and "requests_lite-2.0.0.tar.gz" in page
    assert 'data-yanked="Broken import on Python 3.12"' in page
    assert Release.objects.get(project__name="requests-lite", version="2.1.0rc1").is_prerelease
    assert {r.user.username for r in Project.objects.get(name="requests-lite").roles.all()} == {"alice", "bob"}
    assert Project.objects.get(name="evil-helper").is_quarantined
    from django.test import Client

    assert Client().get("/simple/evil-helper/").status_code == 404
    assert ProhibitedProjectName.objects.filter(name="requestz-lite").exists()
    assert ProjectReport.objects.filter(status="open", project__name="tiny-utils").exists()
    verify, _ = run("verify_files")
    assert "0 missing, 0 corrupt" in verify


def test_seed_bulk_projects(client, own_package_storage):
    out, err = run("seed_dev_data", "--projects", "3", "--releases", "2", "--batch-size", "2")
    assert "created 3 new benchmark projects" in out and "3/3 benchmark projects" in err
    bench = Project.objects.filter(name__startswith="bench-project-")
    assert bench.count() == 3
    project = bench.get(name="bench-project-000002")
    assert project.releases.count() == 2 and project.owners()[0].username == "alice"
    assert project.last_serial == JournalEntry.objects.filter(project=project).order_by("-id").first().id
    assert project.total_size == sum(f.size for f in File.objects.filter(release__project=project))
    wheel = File.objects.filter(release__project=project).first()
    assert client.get(wheel.url_path).status_code == 200
    assert client.get(wheel.url_path + ".metadata").status_code == 200
    assert wheel.filename in client.get("/simple/bench-project-000002/").content.decode()
    run("seed_dev_data", "--projects", "4", "--without-files")
    assert bench.count() == 4 and not File.objects.filter(release__project__name="bench-project-000004").exists()
    assert "0 missing, 0 corrupt" in run("verify_files")[0]
    with pytest.raises(CommandError, match="--projects must be"):
        run("seed_dev_data", "--projects", "-1")


def test_demo_user_is_idempotent(db):
    from django.contrib.auth import get_user_model

    call_command("ensure_demo_user")
    call_command("ensure_demo_user")
    demo = get_user_model().objects.get(username="demo")
    assert demo.check_password("demo-password-123")
    assert demo.has_verified_primary_email()
