"""Browser walk (Chromium): a user applies for an organization, staff approve it in the admin
(with 2FA), the Owner invites a member who accepts, makes a team, creates a project in the
organization and gives the team a role on it; the member makes a token scoped to the
organization and uploads with twine; once removed from the organization, that token uploads
no more."""

import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from accounts.tests.factories import UserFactory
from devtools.dists import write_dists
from devtools.testing.clients import pip_install, twine_upload
from devtools.testing.staff import add_totp, browser_admin_login
from organizations.models import Organization
from packages.models import Project
from packages.staff_groups import MODERATORS, ensure_staff_groups
from packages.tests.test_browser_project_flow import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def _new_page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    return context, page


def test_apply_approve_invite_team_project_and_the_member_uploads(
    orm_beside_playwright, transactional_db, index_url, browser, page, screenshot, password, tmp_path, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    UserFactory(username="ada", name="Ada Owner")
    UserFactory(username="bea", name="Bea Member")
    staffer = UserFactory(username="stan", is_staff=True)
    ensure_staff_groups()
    staffer.groups.add(Group.objects.get(name=MODERATORS))

    # ada applies.
    log_in(page, index_url, "ada", password)
    page.goto(f"{index_url}/manage/organizations/")
    page.get_by_role("link", name="Apply for an organization").click()
    page.get_by_label("Organization name").fill("browser-org")
    page.get_by_label("Display name").fill("Browser Org")
    page.get_by_label("URL").fill("https://browser-org.example")
    page.get_by_label("Kind").select_option("company")
    assert screenshot(page, "organizations-apply") <= 0
    page.get_by_role("button", name="Send application").click()
    assert page.get_by_text("is waiting for the index staff").is_visible()

    # stan approves it in the admin (its login asks for the second factor).
    secret = add_totp(staffer)
    staff_context, staff_page = _new_page(browser)
    try:
        browser_admin_login(staff_page, index_url, "stan", password, secret)
        staff_page.get_by_role("link", name="Organization applications").click()
        row = staff_page.locator("#result_list tbody tr", has_text="browser-org")
        assert "Pending" in row.inner_text()
        row.locator("input[name=_selected_action]").check()
        staff_page.select_option("select[name=action]", "approve")
        staff_page.click("button[name=index]")
        staff_page.click("input[name=apply]")
        staff_page.wait_for_selector(".messagelist .success")
        assert "done for 1 of 1" in staff_page.locator(".messagelist").inner_text()
    finally:
        staff_context.close()
    approved = [m for m in mail.outbox if m.to == ["ada@example.com"]]
    assert approved and "approved" in approved[0].subject

    # ada invites bea as a Member.
    page.goto(f"{index_url}/manage/organizations/")
    page.get_by_role("link", name="Manage", exact=True).click()
    page.get_by_role("link", name="Members", exact=True).click()
    page.get_by_label("Username or email address").fill("bea")
    page.get_by_label("Role", exact=True).select_option("Member")
    page.get_by_role("button", name="Send invitation").click()
    assert page.get_by_text("Invited bea as Member").is_visible()
    assert screenshot(page, "organizations-members") <= 0
    invitation = [m for m in mail.outbox if m.to == ["bea@example.com"]][0]
    link = re.search(r"https?://\S+/manage/organizations/invitations/[\w-]+/", invitation.body).group(0)

    bea_context, bea = _new_page(browser)
    try:
        log_in(bea, index_url, "bea", password)
        bea.goto(link.replace(settings.SITE_URL.rstrip("/"), index_url))
        bea.get_by_role("button", name="Accept").click()
        assert bea.get_by_text("You are now Member of browser-org").is_visible()

        # ada makes a team, a project in the organization, and gives the team the project.
        page.get_by_role("link", name="Teams", exact=True).click()
        page.get_by_label("Team name").fill("uploaders")
        page.get_by_role("button", name="Create team").click()
        assert page.get_by_text("Created the team uploaders").is_visible()
        page.get_by_label("Username of a member").fill("bea")
        page.get_by_role("button", name="Add to team").click()
        page.get_by_role("link", name="Projects", exact=True).click()
        page.get_by_label("New project name").fill("browser-org-lib")
        page.get_by_role("button", name="Create project").click()
        assert page.get_by_text("Created browser-org-lib in browser-org").is_visible()
        page.goto(f"{index_url}/manage/organization/browser-org/team/uploaders/")
        page.get_by_label("Project", exact=True).select_option("browser-org-lib")
        page.get_by_label("Role", exact=True).select_option("Maintainer")
        page.get_by_role("button", name="Give the role").click()
        assert page.get_by_text("uploaders is now Maintainer of browser-org-lib").is_visible()
        assert screenshot(page, "organizations-team") <= 0

        # bea makes a token scoped to the organization and uploads with twine.
        bea.goto(f"{index_url}/manage/account/tokens/new/")
        if "/account/reauthenticate/" in bea.url:  # token creation asks for the password again
            bea.get_by_label("Password").fill(password)
            bea.get_by_role("button", name=re.compile("Confirm", re.I)).click()
            bea.wait_for_url(lambda url: "/account/reauthenticate/" not in url)
        bea.get_by_label("Token name").fill("org uploads")
        bea.get_by_label("Scope").select_option(label="Organization: browser-org")
        bea.get_by_role("button", name="Create token").click()
        token = bea.locator("#new-token").input_value()
        assert token.startswith("pypi-")
        files = write_dists(tmp_path / "dist", "browser-org-lib", "1.0", summary="Uploaded by a team member")
        result = twine_upload(f"{index_url}/legacy/", token, files)
        assert result.returncode == 0, result.stdout + result.stderr
        bea.goto(f"{index_url}/manage/projects/")
        assert bea.get_by_role("cell", name=re.compile("Maintainer")).is_visible()
    finally:
        bea_context.close()
    installed = pip_install(f"{index_url}/simple/", ["browser-org-lib"], tmp_path / "site")
    assert installed.returncode == 0, installed.stdout + installed.stderr
    page.goto(f"{index_url}/org/browser-org/")
    assert page.get_by_role("heading", name="Browser Org").is_visible()
    assert page.get_by_role("link", name="browser-org-lib").is_visible()
    assert screenshot(page, "organizations-page") <= 0
    page.goto(f"{index_url}/manage/project/browser-org-lib/history/")
    assert page.get_by_role("cell", name="add team browser-org/uploaders as Maintainer").is_visible()

    # ada removes bea: her token stops working at once.
    page.goto(f"{index_url}/manage/organization/browser-org/members/")
    page.get_by_role("button", name="Remove bea").click()
    assert page.get_by_text("Removed bea from browser-org and its teams").is_visible()
    files = write_dists(tmp_path / "dist2", "browser-org-lib", "1.1")
    refused = twine_upload(f"{index_url}/legacy/", token, files)
    assert refused.returncode != 0 and "isn't allowed to upload to project" in refused.stdout + refused.stderr
    project = Project.objects.get(name="browser-org-lib")
    assert project.organization == Organization.objects.get(name="browser-org")
    assert list(project.releases.values_list("version", flat=True)) == ["1.0"]
