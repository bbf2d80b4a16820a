"""A moderator's day in the real admin, in Chromium: log in, act on a report, and pip can't install any more."""

import pytest
from django.contrib.auth.models import Group

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from devtools.publish import publish
from devtools.testing import clients
from devtools.testing.staff import add_totp, browser_admin_login
from packages.models import Project, ProjectReport
from packages.staff_groups import MODERATORS, ensure_staff_groups

pytestmark = [pytest.mark.e2e, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True, scope="module")
def _orm_beside_playwright():
    # Playwright's sync API keeps an event loop running in this thread; the ORM calls made by
    # the test (and the database set-up and teardown around it) are still plain synchronous code.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


def test_staff_quarantines_reported_project_and_pip_can_no_longer_install_it(
    transactional_db, index_url, page, screenshot, tmp_path
):  # the database comes before the browser (fixture order)
    owner = UserFactory(username="sneaky")
    publish(owner, "sneaky-pkg", "1.0.0")
    report = ProjectReport.objects.create(
        project=Project.objects.get(name="sneaky-pkg"),
        project_name="sneaky-pkg",
        reporter=UserFactory(username="watchful"),
        kind="malware",
        summary="Posts ~/.pypirc to a remote host.",
    )
    moderator = UserFactory(username="modesty", is_staff=True)
    ensure_staff_groups()
    moderator.groups.add(Group.objects.get(name=MODERATORS))

    before = clients.pip_install(f"{index_url}/simple/", ["sneaky-pkg"], tmp_path / "before")
    assert before.returncode == 0, before.stdout + before.stderr  # installable until staff act

    # The admin sends staff to the site's login, whose second step asks for the TOTP code.
    secret = add_totp(moderator)
    browser_admin_login(page, index_url, "modesty", DEFAULT_PASSWORD, secret)
    page.get_by_role("link", name="Project reports").click()
    row = page.locator("#result_list tbody tr", has_text="sneaky-pkg")
    assert "Posts ~/.pypirc" in row.inner_text()
    row.locator("input[name=_selected_action]").check()
    page.select_option("select[name=action]", "quarantine")
    page.click("button[name=index]")

    page.fill("textarea[name=reason]", "Confirmed credential theft in setup.py")
    screenshot(page, "admin-quarantine-confirm")
    page.click("input[name=apply]")
    page.wait_for_selector(".messagelist .success")
    assert "done for 1 of 1" in page.locator(".messagelist").inner_text()
    screenshot(page, "admin-reports-queue")

    report.refresh_from_db()
    assert report.status == ProjectReport.Status.QUARANTINED and report.handled_by == moderator
    after = clients.pip_install(f"{index_url}/simple/", ["sneaky-pkg"], tmp_path / "after")
    assert after.returncode != 0
    assert "No matching distribution found for sneaky-pkg" in after.stderr
