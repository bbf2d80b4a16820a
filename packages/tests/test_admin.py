"""The customized Django admin, driven with the test client as staff members of each group."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group

from accounts.tests.factories import UserFactory
from devtools.publish import publish
from packages import flags
from packages.models import AdminFlag, JournalEntry, ProhibitedProjectName, Project, ProjectReport
from packages.staff_groups import ensure_staff_groups
from packages.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def staff_member(group_name, username):
    ensure_staff_groups()
    member = UserFactory(username=username, is_staff=True)
    member.groups.add(Group.objects.get(name=group_name))
    return member


def run_action(client, model_path, action, objects, **data):
    """POST an admin action's confirmation form (the second step) for `objects`."""
    payload = {"action": action, ACTION_CHECKBOX_NAME: [str(o.pk) for o in objects], "apply": "1", **data}
    return client.post(f"/admin/{model_path}/", payload)


@pytest.mark.parametrize(
    "path",
    [
        "",
        "packages/project/",
        "packages/release/",
        "packages/file/",
        "packages/projectreport/",
        "packages/journalentry/",
        "packages/prohibitedprojectname/",
        "packages/prohibitedprojectname/bulk/",
        "packages/adminflag/",
        "accounts/user/",
        "accounts/securityevent/",
        "accounts/apitoken/",
    ],
)
def test_admin_pages_render(admin_client, user, path):
    publish(user, "shown-pkg", "1.0")
    response = admin_client.get(f"/admin/{path}")
    assert response.status_code == 200, path


def test_change_pages_render(admin_client, user):
    release = publish(user, "shown-pkg", "1.0")
    for url in (
        f"/admin/packages/project/{release.project.pk}/change/",
        f"/admin/accounts/user/{user.pk}/change/",
        f"/admin/packages/release/{release.pk}/change/",
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
    page = admin_client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    assert "shown-pkg" in page and f"?submitted_by={user.pk}" in page


def test_search_users_by_email_and_projects_by_name(admin_client, user, other_user):
    page = admin_client.get("/admin/accounts/user/?q=bob@example.com").content.decode()
    assert ">bob<" in page and ">alice<" not in page
    ProjectFactory(name="findme", owner=user)
    ProjectFactory(name="other", owner=user)
    page = admin_client.get("/admin/packages/project/?q=findme").content.decode()
    assert "findme" in page and ">other<" not in page


def test_quarantine_action_asks_for_reason_then_hides_project(admin_client, client, user):
    release = publish(user, "bad-pkg", "1.0")
    project = release.project
    first = admin_client.post("/admin/packages/project/", {"action": "quarantine", ACTION_CHECKBOX_NAME: [project.pk]})
    assert first.status_code == 200 and b'name="reason"' in first.content  # the intermediate page

    empty = run_action(admin_client, "packages/project", "quarantine", [project], reason="")
    assert empty.status_code == 200 and b"This field is required" in empty.content
    assert Project.objects.get().status == "active"

    done = run_action(admin_client, "packages/project", "quarantine", [project], reason="malware")
    assert done.status_code == 302
    assert admin_client.get("/simple/bad-pkg/").status_code == 404
    assert LogEntry.objects.filter(object_id=str(project.pk), change_message__contains="Quarantined: malware").exists()

    run_action(admin_client, "packages/project", "release_quarantine", [project], reason="cleaned up")
    assert admin_client.get("/simple/bad-pkg/").status_code == 200


def test_remove_actions_need_admin_permission(moderator_client, user):
    release = publish(user, "kept-pkg", "1.0")
    page = moderator_client.get("/admin/packages/project/").content.decode()
    assert 'value="quarantine"' in page and 'value="remove"' not in page and 'value="transfer"' not in page
    response = run_action(moderator_client, "packages/project", "remove", [release.project], reason="x")
    assert Project.objects.filter(name="kept-pkg").exists()
    assert response.status_code == 302  # Django refuses unknown/forbidden actions with a message


def test_remove_release_and_file_from_admin(admin_client, user):
    release = publish(user, "trim-pkg", "1.0")
    publish(user, "trim-pkg", "2.0")
    wheel = release.files.get(packagetype="bdist_wheel")
    run_action(admin_client, "packages/file", "remove", [wheel], reason="bad wheel")
    assert wheel.filename not in admin_client.get("/simple/trim-pkg/").content.decode()
    run_action(admin_client, "packages/release", "remove", [release], reason="bad release")
    assert "trim_pkg-1.0" not in admin_client.get("/simple/trim-pkg/").content.decode()
    assert JournalEntry.objects.filter(name="trim-pkg", action="remove release: bad release").exists()


def test_raise_limits_on_change_form_is_journaled(admin_client, user):
    project = ProjectFactory(name="huge-pkg", owner=user)
    url = f"/admin/packages/project/{project.pk}/change/"
    inline = {f"{prefix}-{key}": "0" for prefix in ("roles", "releases") for key in ("TOTAL_FORMS", "INITIAL_FORMS")}
    bad = admin_client.post(url, {"upload_limit": "-5", "total_size_limit": "", **inline})
    assert bad.status_code == 200 and b"Must be between" in bad.content
    response = admin_client.post(url, {"upload_limit": str(300 * 1024**2), "total_size_limit": "", **inline})
    assert response.status_code == 302, response.content[:2000]
    project.refresh_from_db()
    assert project.upload_limit == 300 * 1024**2
    assert JournalEntry.objects.filter(name="huge-pkg", action__startswith="set upload limit default ->").exists()
    assert LogEntry.objects.filter(object_id=str(project.pk), change_message__startswith="Set upload limit").exists()


def test_also_serve_upstream_files_on_the_change_form_is_journaled(admin_client, user):
    project = ProjectFactory(name="merged-pkg", owner=user)
    url = f"/admin/packages/project/{project.pk}/change/"
    assert b'name="serve_upstream_files"' in admin_client.get(url).content
    inline = {f"{prefix}-{key}": "0" for prefix in ("roles", "releases") for key in ("TOTAL_FORMS", "INITIAL_FORMS")}
    data = {"upload_limit": "", "total_size_limit": "", "serve_upstream_files": "on", **inline}
    assert admin_client.post(url, data).status_code == 302
    project.refresh_from_db()
    assert project.serve_upstream_files
    assert JournalEntry.objects.filter(name="merged-pkg", action="also serve upstream files").exists()
    assert LogEntry.objects.filter(object_id=str(project.pk), change_message="Also serve upstream files").exists()


def test_transfer_ownership_action(admin_client, user, other_user):
    project = ProjectFactory(name="given-pkg", owner=user)
    bad = run_action(admin_client, "packages/project", "transfer", [project], reason="asked", new_owner="nobody")
    assert b"No user with this username" in bad.content
    run_action(admin_client, "packages/project", "transfer", [project], reason="asked", new_owner="bob")
    assert [o.username for o in Project.objects.get(pk=project.pk).owners()] == ["bob"]


def test_freeze_action_refuses_token_at_upload(admin_client, client, user, token_for, basic_auth):
    token = token_for(user)
    response = run_action(admin_client, "accounts/user", "freeze", [user], reason="compromised")
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.is_frozen
    refused = client.post("/legacy/", {":action": "file_upload"}, HTTP_AUTHORIZATION=basic_auth("__token__", token))
    assert refused.status_code == 403
    run_action(admin_client, "accounts/user", "unfreeze", [user], reason="owner verified")
    user.refresh_from_db()
    assert not user.is_frozen


def test_reset_two_factor_is_for_admins_only(admin_client, user):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert 'value="reset_two_factor"' in admin_client.get("/admin/accounts/user/").content.decode()
    run_action(admin_client, "accounts/user", "reset_two_factor", [user], reason="passport checked")
    assert not user.has_two_factor()


def test_moderator_cannot_reset_two_factor(moderator_client, user):
    page = moderator_client.get("/admin/accounts/user/").content.decode()
    assert 'value="freeze"' in page and 'value="reset_two_factor"' not in page


def test_reports_queue_actions(admin_client, user, other_user):
    release = publish(user, "reported-pkg", "1.0")
    report = ProjectReport.objects.create(
        project=release.project,
        project_name="reported-pkg",
        reporter=other_user,
        kind="malware",
        summary="exfiltrates ~/.ssh",
    )
    page = admin_client.get("/admin/packages/projectreport/?status__exact=open").content.decode()
    assert "exfiltrates ~/.ssh" in page and "bob" in page
    run_action(admin_client, "packages/projectreport", "quarantine", [report], reason="confirmed")
    report.refresh_from_db()
    assert report.status == ProjectReport.Status.QUARANTINED
    assert admin_client.get("/simple/reported-pkg/").status_code == 404
    assert JournalEntry.objects.filter(name="reported-pkg", action__contains=f"report #{report.pk}: confirmed")


def test_prohibit_names_single_and_bulk(admin_client, user):
    publish(user, "squatted", "1.0")
    response = admin_client.post("/admin/packages/prohibitedprojectname/add/", {"name": "Bad.Name", "comment": "c"})
    assert response.status_code == 302
    assert ProhibitedProjectName.objects.get().name == "bad-name"
    assert LogEntry.objects.filter(change_message__startswith="Prohibited name").count() == 1

    response = admin_client.post(
        "/admin/packages/prohibitedprojectname/bulk/",
        {
            "names": "one-bad\ntwo_bad, squatted  # typosquats\nbad-name",
            "comment": "campaign 42",
            "remove_existing": "on",
        },
    )
    assert response.status_code == 302
    assert set(ProhibitedProjectName.objects.values_list("name", flat=True)) == {
        "bad-name",
        "one-bad",
        "two-bad",
        "squatted",
    }
    assert admin_client.get("/simple/squatted/").status_code == 404
    invalid = admin_client.post("/admin/packages/prohibitedprojectname/bulk/", {"names": "ok-name no!pe"})
    assert invalid.status_code == 200 and b"not a valid project name" in invalid.content


def test_kill_switch_toggle_in_admin(admin_client, client, user, token_for, basic_auth):
    admin_client.get("/admin/packages/adminflag/")  # creates the known flags
    ids = list(AdminFlag.objects.values_list("id", flat=True))
    form = {"form-TOTAL_FORMS": len(ids), "form-INITIAL_FORMS": len(ids), "_save": "Save"}
    for i, flag_id in enumerate(ids):
        form[f"form-{i}-id"] = flag_id
        if flag_id == flags.READ_ONLY:
            form[f"form-{i}-enabled"] = "on"
    response = admin_client.post("/admin/packages/adminflag/", form)
    assert response.status_code == 302
    assert flags.is_enabled(flags.READ_ONLY)
    refused = client.post(
        "/legacy/", {":action": "file_upload"}, HTTP_AUTHORIZATION=basic_auth("__token__", token_for(user))
    )
    assert refused.status_code == 503
    assert LogEntry.objects.filter(object_id=flags.READ_ONLY).exists()


def test_journal_is_read_only_and_filterable(admin_client, user, other_user):
    one = ProjectFactory(name="first-pkg", owner=user)
    ProjectFactory(name="second-pkg", owner=other_user)
    page = admin_client.get(f"/admin/packages/journalentry/?project={one.pk}").content.decode()
    assert "first-pkg" in page and "second-pkg" not in page
    page = admin_client.get(f"/admin/packages/journalentry/?submitted_by={other_user.pk}").content.decode()
    assert "second-pkg" in page and "first-pkg" not in page
    page = admin_client.get("/admin/packages/journalentry/?kind=create").content.decode()
    assert "first-pkg" in page and "add Owner" not in page
    entry = JournalEntry.objects.first()
    assert admin_client.get(f"/admin/packages/journalentry/{entry.pk}/delete/").status_code == 403
    assert admin_client.get("/admin/packages/journalentry/add/").status_code == 403


def test_non_staff_cannot_use_admin(client, user, password):
    client.login(username="alice", password=password)
    response = client.get("/admin/packages/project/")
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_moderators_cannot_grant_privileges_or_set_passwords(moderator_client, user):
    url = f"/admin/accounts/user/{user.pk}/change/"
    page = moderator_client.get(url).content.decode()
    assert 'name="is_superuser"' not in page and 'name="groups"' not in page and 'name="username"' in page
    assert moderator_client.get(f"/admin/accounts/user/{user.pk}/password/").status_code == 403
    superuser = UserFactory(username="root", is_staff=True, is_superuser=True)
    run_action(moderator_client, "accounts/user", "freeze", [superuser], reason="coup")
    superuser.refresh_from_db()
    assert not superuser.is_frozen
