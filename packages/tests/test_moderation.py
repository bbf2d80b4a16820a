"""Staff moderation services, checked through what clients see: simple API, JSON API, uploads, login."""

import pytest
from django.contrib.admin.models import LogEntry

from accounts.tests.factories import UserFactory
from devtools.publish import publish
from devtools.testing.uploads import upload_wheel
from packages import flags, limits, moderation
from packages.models import (
    AdminFlag,
    FilenameLog,
    JournalEntry,
    ProhibitedProjectName,
    Project,
    ProjectReport,
    Role,
)
from packages.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def upload(client, token, name="evil-pkg", version="2.0"):
    return upload_wheel(client, token, name, version)


def test_reason_is_required(evil_release, staff):
    with pytest.raises(moderation.ModerationError, match="reason"):
        moderation.quarantine_project(evil_release.project, staff, "  ")
    assert Project.objects.get().status == "active"


def test_quarantine_hides_project_from_public_apis_but_not_from_owner(client, evil_release, user, staff):
    assert client.get("/simple/evil-pkg/").status_code == 200
    moderation.quarantine_project(evil_release.project, staff, "malware in setup.py")

    assert client.get("/simple/evil-pkg/").status_code == 404
    assert client.get("/pypi/evil-pkg/json").status_code == 404
    assert b"evil-pkg" not in client.get("/simple/").getvalue()
    assert Project.objects.visible_to(user).filter(name="evil-pkg").exists()
    assert not Project.objects.visible_to(UserFactory()).filter(name="evil-pkg").exists()
    entry = JournalEntry.objects.filter(name="evil-pkg").first()
    assert entry.action == "project status active -> quarantined: malware in setup.py"
    assert entry.submitted_by == staff
    log = LogEntry.objects.get(object_id=str(evil_release.project.pk))
    assert log.user == staff and "malware in setup.py" in log.change_message

    moderation.release_from_quarantine(Project.objects.get(), staff, "false positive")
    assert client.get("/simple/evil-pkg/").status_code == 200
    with pytest.raises(moderation.ModerationError, match="not quarantined"):
        moderation.release_from_quarantine(Project.objects.get(), staff, "again")


def test_quarantined_project_refuses_uploads(client, evil_release, user, staff, token_for, basic_auth):
    moderation.quarantine_project(evil_release.project, staff, "malware")
    token = token_for(user)
    response = upload(client, token)
    assert response.status_code == 403, response.content
    assert "quarantined" in response.content.decode()
    assert not evil_release.project.releases.filter(version="2.0").exists()
    moderation.release_from_quarantine(Project.objects.get(), staff, "cleared")
    assert upload(client, token).status_code == 200


def test_remove_file_release_and_project(client, user, staff):
    release = publish(user, "gone-pkg", "1.0")
    publish(user, "gone-pkg", "2.0")
    wheel = release.files.get(packagetype="bdist_wheel")
    assert client.get(wheel.url_path).status_code == 200

    moderation.remove_file(wheel, staff, "broken wheel")
    assert client.get(wheel.url_path).status_code == 404
    assert wheel.filename not in client.get("/simple/gone-pkg/").content.decode()
    assert FilenameLog.objects.filter(filename=wheel.filename).exists()  # never reusable

    moderation.remove_release(release, staff, "contains secrets")
    assert "gone_pkg-1.0" not in client.get("/simple/gone-pkg/").content.decode()

    moderation.remove_project(Project.objects.get(name="gone-pkg"), staff, "abandoned spam")
    assert client.get("/simple/gone-pkg/").status_code == 404
    actions = list(JournalEntry.objects.filter(name="gone-pkg").values_list("action", flat=True)[:3])
    assert actions[0] == "remove project: abandoned spam"
    assert actions[1] == "remove release: contains secrets"
    assert actions[2].startswith("remove file gone_pkg-1.0") and actions[2].endswith(": broken wheel")


def test_set_limits_is_journaled_and_bounded(user, staff):
    project = ProjectFactory(name="big-pkg", owner=user)
    moderation.set_limits(project, staff, upload_limit=200 * 1024**2, total_size_limit=None)
    project.refresh_from_db()
    assert limits.file_size_limit(project) == 200 * 1024**2
    assert JournalEntry.objects.filter(name="big-pkg", action__startswith="set upload limit").exists()
    with pytest.raises(moderation.ModerationError, match="between"):
        moderation.set_limits(project, staff, upload_limit=0, total_size_limit=None)


def test_transfer_ownership(user, other_user, staff, token_for):
    project = ProjectFactory(name="moved-pkg", owner=user)
    from accounts.tokens import issue_token

    scoped = issue_token(user, "scoped", project=project).token
    moderation.transfer_ownership(project, other_user, staff, "original author asked")
    roles = {r.user.username: r.role_name for r in Role.objects.filter(project=project)}
    assert roles == {"bob": Role.OWNER}
    scoped.refresh_from_db()
    assert scoped.revoked is not None
    assert JournalEntry.objects.filter(name="moved-pkg", action__contains="transfer ownership from alice to bob")

    moderation.transfer_ownership(project, user, staff, "back again", keep_previous_as_maintainers=True)
    roles = {r.user.username: r.role_name for r in Role.objects.filter(project=project)}
    assert roles == {"alice": Role.OWNER, "bob": Role.MAINTAINER}


def test_prohibit_names_refuses_upload_and_optionally_removes_projects(client, user, staff, token_for, basic_auth):
    publish(user, "Taken_Name", "1.0")
    added, existing, removed = moderation.prohibit_names(
        ["taken.name", "other-bad", "OTHER_bad"], staff, "typosquats", remove_existing=True
    )
    assert added == ["taken-name", "other-bad"] and existing == [] and removed == ["Taken_Name"]
    assert client.get("/simple/taken-name/").status_code == 404
    assert set(ProhibitedProjectName.objects.values_list("name", flat=True)) == {"taken-name", "other-bad"}
    response = upload(client, token_for(user), name="other-bad", version="1.0")
    assert response.status_code == 400 and "prohibited" in response.content.decode()
    assert not Project.objects.filter(normalized_name="other-bad").exists()
    with pytest.raises(moderation.ModerationError, match="not a valid"):
        moderation.prohibit_names(["bad name!"], staff)


def test_handle_report_quarantine_closes_all_open_reports(client, evil_release, other_user, staff):
    first = ProjectReport.objects.create(
        project=evil_release.project,
        project_name="evil-pkg",
        reporter=other_user,
        kind="malware",
        summary="steals tokens",
    )
    second = ProjectReport.objects.create(
        project=evil_release.project, project_name="evil-pkg", kind="spam", summary="spam"
    )
    moderation.handle_report(first, "quarantine", staff, "confirmed")
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == ProjectReport.Status.QUARANTINED
    assert first.handled_by == staff
    assert client.get("/simple/evil-pkg/").status_code == 404
    with pytest.raises(moderation.ModerationError, match="already handled"):
        moderation.handle_report(first, "dismiss", staff, "x")


def test_handle_report_dismiss_and_remove(client, evil_release, other_user, staff):
    report = ProjectReport.objects.create(
        project=evil_release.project,
        project_name="evil-pkg",
        reporter=other_user,
        kind="spam",
        summary="looks like spam",
    )
    moderation.handle_report(report, "dismiss", staff, "legit project")
    assert client.get("/simple/evil-pkg/").status_code == 200
    assert JournalEntry.objects.filter(action=f"dismiss report #{report.pk}: legit project").exists()

    again = ProjectReport.objects.create(
        project=evil_release.project, project_name="evil-pkg", kind="malware", summary="now it is malware"
    )
    moderation.handle_report(again, "remove", staff, "confirmed malware")
    assert client.get("/simple/evil-pkg/").status_code == 404
    again.refresh_from_db()
    assert again.status == ProjectReport.Status.REMOVED and again.project is None


def test_read_only_flag_refuses_writes_with_503(client, evil_release, user, token_for, basic_auth):
    flags.ensure_known_flags()
    AdminFlag.objects.filter(id=flags.READ_ONLY).update(enabled=True)
    flags.forget_cached_flags()
    response = upload(client, token_for(user))
    assert response.status_code == 503
    assert "read-only" in response.content.decode()
    assert client.get("/simple/evil-pkg/").status_code == 200
    # XML-RPC queries are POSTs that only read: mirrors keep working.
    call = "<?xml version='1.0'?><methodCall><methodName>changelog_last_serial</methodName><params/></methodCall>"
    xmlrpc = client.post("/pypi", call, content_type="text/xml")
    assert xmlrpc.status_code == 200 and b"<int>" in xmlrpc.content


def test_registration_flag_closes_signup(client):
    assert client.get("/account/signup/").status_code == 200
    flags.ensure_known_flags()
    AdminFlag.objects.filter(id=flags.DISALLOW_NEW_USER).update(enabled=True)
    flags.forget_cached_flags()
    response = client.post(
        "/account/signup/",
        {
            "username": "newbie",
            "email": "n@example.com",
            "password1": "a-long-password-1",
            "password2": "a-long-password-1",
        },
    )
    assert response.status_code == 403
    assert "registration is temporarily disabled" in response.content.decode()
    assert not flags.signup_open()
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="newbie").exists()


@pytest.mark.parametrize(
    "flag_id, name, status",
    [(flags.DISALLOW_NEW_UPLOAD, "evil-pkg", 503), (flags.DISALLOW_NEW_PROJECT, "brand-new", 403)],
)
def test_upload_kill_switches_refuse_with_a_message(
    client, evil_release, user, token_for, basic_auth, flag_id, name, status
):
    assert upload(client, token_for(user), name="evil-pkg", version="1.5").status_code == 200
    flags.ensure_known_flags()
    AdminFlag.objects.filter(id=flag_id).update(enabled=True)
    flags.forget_cached_flags()
    response = upload(client, token_for(user), name=name)
    assert response.status_code == status
    assert "temporarily disabled" in response.content.decode()
    assert not Project.objects.filter(normalized_name=name, releases__version="2.0").exists()


def test_announced_flag_shows_a_banner_on_every_page(client, db):
    flags.ensure_known_flags()
    AdminFlag.objects.filter(id=flags.DISALLOW_NEW_UPLOAD).update(enabled=True, notify=True)
    flags.forget_cached_flags()
    page = client.get("/").content.decode()
    assert 'class="site-notice"' in page and "New uploads are temporarily disabled." in page
    AdminFlag.objects.filter(id=flags.DISALLOW_NEW_UPLOAD).update(notify=False)
    flags.forget_cached_flags()
    assert 'class="site-notice"' not in client.get("/").content.decode()
