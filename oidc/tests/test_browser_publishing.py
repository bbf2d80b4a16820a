"""Browser walk: an Owner adds a GitHub trusted publisher on the Publishing tab, and removes it."""

import pytest

from accounts.tests.factories import UserFactory
from devtools.publish import publish
from oidc.models import OIDCIssuer, TrustedPublisher
from packages.tests.test_browser_project_flow import log_in

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def test_owner_adds_then_removes_a_github_publisher(
    orm_beside_playwright, transactional_db, index_url, page, screenshot, password
):
    # The default issuers come from a migration; an earlier transactional test's flush removes them.
    OIDCIssuer.objects.get_or_create(
        url="https://token.actions.githubusercontent.com", defaults={"name": "github-actions", "kind": "github"}
    )
    owner = UserFactory(username="petra")
    publish(owner, "browser-pub", "1.0", kinds=("wheel",))
    log_in(page, index_url, "petra", password)
    page.goto(f"{index_url}/manage/project/browser-pub/releases/")
    page.get_by_role("link", name="Publishing").click()
    page.get_by_text("Add a GitHub Actions publisher").click()
    form = page.locator("details", has_text="Add a GitHub Actions publisher")
    form.get_by_label("repository").fill("petra/browser-pub")
    form.get_by_label("workflow").fill("release.yml")
    form.get_by_label("environment (optional)").fill("pypi")
    form.get_by_role("button", name="Add publisher").click()
    page.wait_for_load_state()
    row = page.get_by_role("row", name="GitHub Actions: petra/browser-pub release.yml (environment pypi)")
    assert row.count() == 1, page.content()[:3000]
    assert TrustedPublisher.objects.get().claims == {
        "repository": "petra/browser-pub",
        "workflow": "release.yml",
        "environment": "pypi",
    }
    assert screenshot(page, "publishing") <= 0  # no horizontal scrolling at phone width
    row.get_by_role("button", name="Remove the publisher").click()
    page.wait_for_load_state()
    assert "No trusted publishers yet." in page.content()
    assert not TrustedPublisher.objects.exists()
