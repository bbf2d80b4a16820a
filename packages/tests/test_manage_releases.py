"""Maintainer portal: your projects, releases, yank/un-yank, delete file/release, history, settings."""

import pytest
from django.db import transaction

from accounts.tests.factories import UserFactory
from devtools.publish import publish
from packages import services
from packages.models import File, FilenameLog, JournalEntry, Project, Release, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(user):
    publish(user, "proj", "1.0")
    publish(user, "proj", "2.0", kinds=("wheel",))
    project = Project.objects.get(name="proj")
    with transaction.atomic():
        services.add_role(project, UserFactory(username="mia"), Role.MAINTAINER, user)
    return project


@pytest.fixture
def owner_client(client, user):
    client.force_login(user)
    return client


def post(client, capture, url, data=None):
    with capture(execute=True):
        return client.post(url, data or {})


def test_your_projects_lists_last_release_and_role(owner_client, project, user, django_assert_max_num_queries):
    publish(UserFactory(username="zoe"), "not-mine", "1.0", kinds=("wheel",))
    with django_assert_max_num_queries(10):
        response = owner_client.get("/manage/projects/")
    rows = response.context["rows"]
    assert [(r["project"].name, r["latest"].version, r["role"]) for r in rows] == [("proj", "2.0", "Owner")]
    html = response.content.decode()
    assert "Owner" in html and "2.0" in html and "not-mine" not in html


def test_releases_and_release_page(owner_client, project):
    html = owner_client.get("/manage/project/proj/releases/").content.decode()
    assert "/manage/project/proj/release/1.0/" in html and "/manage/project/proj/release/2.0/" in html
    response = owner_client.get("/manage/project/proj/release/1.0/")
    html = response.content.decode()
    for f in File.objects.filter(release__version="1.0"):
        assert f.filename in html
    assert "new release" in html  # the release's journal
    assert "can never be uploaded again" in html and "yank" in html.lower()


def test_manage_pages_accept_any_spelling_of_the_name(owner_client, project):
    assert owner_client.get("/manage/project/PROJ/releases/").status_code == 200


def test_yank_with_reason_then_unyank(owner_client, project, django_capture_on_commit_callbacks, mailoutbox):
    response = post(
        owner_client,
        django_capture_on_commit_callbacks,
        "/manage/project/proj/release/2.0/yank/",
        {"reason": "broken wheel"},
    )
    assert response.status_code == 302
    release = Release.objects.get(project=project, version="2.0")
    assert release.yanked and release.yanked_reason == "broken wheel"
    entry = JournalEntry.objects.filter(project=project).first()
    assert entry.action == "yank release" and entry.version == "2.0" and entry.submitted_by.username == "alice"
    project.refresh_from_db()
    assert project.last_serial == entry.id
    assert [m.to for m in mailoutbox] == [["mia@example.com"]]
    assert "yanked release 2.0 of proj" in mailoutbox[0].body and "broken wheel" in mailoutbox[0].body

    post(owner_client, django_capture_on_commit_callbacks, "/manage/project/proj/release/2.0/unyank/")
    release.refresh_from_db()
    assert not release.yanked and release.yanked_reason == ""
    assert JournalEntry.objects.filter(project=project).first().action == "unyank release"
    assert len(mailoutbox) == 2


def test_yanked_release_in_simple_api(owner_client, project, django_capture_on_commit_callbacks):
    post(owner_client, django_capture_on_commit_callbacks, "/manage/project/proj/release/2.0/yank/", {"reason": "nope"})
    html = owner_client.get("/simple/proj/").content.decode()
    assert 'data-yanked="nope"' in html


def test_delete_release_needs_the_typed_version(owner_client, project, django_capture_on_commit_callbacks, mailoutbox):
    wheel = File.objects.get(release__version="2.0").filename
    response = post(
        owner_client, django_capture_on_commit_callbacks, "/manage/project/proj/release/2.0/delete/", {"confirm": "2.1"}
    )
    # The release page again, with the error beside the field it concerns.
    assert response.status_code == 400 and response.templates[0].name == "manage/release.html"
    html = response.content.decode()
    assert (
        'id="confirm-release" name="confirm" autocomplete="off" required aria-invalid="true" aria-describedby="confirm-release-errors"'
        in html
    )
    assert (
        '<ul class="errorlist" id="confirm-release-errors"><li>That is not &#x27;2.0&#x27;; nothing was deleted.</li></ul>'
        in html
    )
    assert Release.objects.filter(project=project, version="2.0").exists()
    assert mailoutbox == []

    response = post(
        owner_client,
        django_capture_on_commit_callbacks,
        "/manage/project/proj/release/2.0/delete/",
        {"confirm": "2.0", "reason": "oops"},
    )
    assert response["Location"] == "/manage/project/proj/releases/"
    assert not Release.objects.filter(project=project, version="2.0").exists()
    assert FilenameLog.objects.filter(filename=wheel).exists()  # never reusable
    entry = JournalEntry.objects.filter(project=project).first()
    assert entry.action == "remove release: oops" and entry.version == "2.0"
    assert [m.to for m in mailoutbox] == [["mia@example.com"]]
    assert "deleted release 2.0" in mailoutbox[0].body


def test_delete_file_needs_the_typed_filename(owner_client, project, django_capture_on_commit_callbacks, mailoutbox):
    sdist = File.objects.get(release__version="1.0", packagetype="sdist")
    url = f"/manage/project/proj/release/1.0/file/{sdist.pk}/delete/"
    response = post(owner_client, django_capture_on_commit_callbacks, url, {"confirm": "wrong.tar.gz"})
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        f'aria-describedby="confirm-file-{sdist.pk}-errors"' in html and f'id="confirm-file-{sdist.pk}-errors"' in html
    )
    assert html.count('aria-invalid="true"') == 1  # only the form that was sent
    assert File.objects.filter(pk=sdist.pk).exists()
    total_before = Project.objects.get(pk=project.pk).total_size

    post(owner_client, django_capture_on_commit_callbacks, url, {"confirm": sdist.filename})
    assert not File.objects.filter(pk=sdist.pk).exists()
    assert Project.objects.get(pk=project.pk).total_size == total_before - sdist.size
    assert JournalEntry.objects.filter(project=project).first().action == f"remove file {sdist.filename}"
    assert f"deleted file {sdist.filename} from release 1.0" in mailoutbox[0].body


def test_history_shows_who_did_what(owner_client, project):
    html = owner_client.get("/manage/project/proj/history/").content.decode()
    assert "add Maintainer mia" in html and "create" in html and "alice" in html


def test_settings_shows_limits(owner_client, project, settings):
    response = owner_client.get("/manage/project/proj/settings/")
    html = response.content.decode()
    assert "100.0\xa0MB" in html and "10.0\xa0GB" in html
    Project.objects.filter(pk=project.pk).update(upload_limit=200 * 1024 * 1024)
    assert "200.0\xa0MB" in owner_client.get("/manage/project/proj/settings/").content.decode()


def test_archive_and_unarchive(owner_client, project):
    owner_client.post("/manage/project/proj/settings/status/", {"status": "archived", "reason": "finished"})
    project.refresh_from_db()
    assert project.status == "archived" and project.status_reason == "finished"
    assert JournalEntry.objects.filter(project=project).first().action == "project status active -> archived: finished"
    assert '<meta name="pypi:project-status" content="archived">' in owner_client.get("/simple/proj/").content.decode()
    assert "archived" in owner_client.get("/project/proj/").content.decode()
    owner_client.post("/manage/project/proj/settings/status/", {"status": "active"})
    project.refresh_from_db()
    assert project.status == "active"


def test_owner_cannot_lift_quarantine(owner_client, project):
    with transaction.atomic():
        services.set_status(project, "quarantined", None, "staff review")
    assert owner_client.get("/manage/project/proj/settings/").status_code == 200
    owner_client.post("/manage/project/proj/settings/status/", {"status": "active"})
    project.refresh_from_db()
    assert project.status == "quarantined"


def test_invalid_status_is_refused(owner_client, project):
    owner_client.post("/manage/project/proj/settings/status/", {"status": "quarantined"})
    project.refresh_from_db()
    assert project.status == "active"


def test_delete_project(owner_client, project, django_capture_on_commit_callbacks, mailoutbox):
    filenames = list(File.objects.filter(release__project=project).values_list("filename", flat=True))
    post(owner_client, django_capture_on_commit_callbacks, "/manage/project/proj/settings/delete/", {"confirm": "PROJ"})
    assert Project.objects.filter(pk=project.pk).exists()
    response = post(
        owner_client, django_capture_on_commit_callbacks, "/manage/project/proj/settings/delete/", {"confirm": "proj"}
    )
    assert response["Location"] == "/manage/projects/"
    assert not Project.objects.filter(pk=project.pk).exists()
    assert FilenameLog.objects.filter(filename__in=filenames).count() == len(filenames)
    assert JournalEntry.objects.filter(name="proj").first().action == "remove project"
    assert owner_client.get("/simple/proj/").status_code == 404
    assert "deleted the project proj" in mailoutbox[0].body


def test_a_refused_yank_reason_is_shown_beside_its_field(owner_client, project, django_capture_on_commit_callbacks):
    response = post(
        owner_client,
        django_capture_on_commit_callbacks,
        "/manage/project/proj/release/2.0/yank/",
        {"reason": "x" * 501},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert (
        'aria-invalid="true" aria-describedby="id_yank_reason-errors"' in html and 'id="id_yank_reason-errors"' in html
    )
    assert not Release.objects.get(project=project, version="2.0").yanked


def test_yanking_asks_for_confirmation_first(owner_client, project):
    html = owner_client.get("/manage/project/proj/release/2.0/").content.decode()
    assert 'data-confirm="Yank proj 2.0? Installers will skip it unless a requirement pins it exactly."' in html
    assert "/static/js/confirm.js" in html
