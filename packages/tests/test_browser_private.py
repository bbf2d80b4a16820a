"""A private project in Chromium (issue 19): its organization's Owner switches it public and private
again in the project settings, makes a read token on the account's token page, and pip installs
the project with it; an anonymous visitor gets the 404 page."""

import re

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import DEFAULT_PASSWORD
from devtools.testing import clients
from devtools.testing.private import private_world
from packages.models import Project

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def _shoot(screenshot, page, name):
    overflow = screenshot(page, f"private-{name}")
    assert overflow <= 0, f"{name}: {overflow}px of horizontal scrolling at phone width"


def _reauthenticate_if_asked(page):
    if "/account/reauthenticate/" in page.url:
        page.get_by_label("Password").fill(DEFAULT_PASSWORD)
        page.get_by_role("button", name=re.compile("Confirm", re.I)).click()
        page.wait_for_url(lambda url: "/account/reauthenticate/" not in url)


# Fixture order matters: the environment and the database come before the browser starts.
def test_owner_switches_privacy_makes_a_read_token_and_pip_installs(
    orm_beside_playwright, transactional_db, index_url, page, screenshot, tmp_path
):
    world = private_world("br-")
    name = world.project.normalized_name

    page.goto(f"{index_url}/project/{name}/")
    expect(page.get_by_text("Top secret")).to_have_count(0)
    assert "Top secret" not in page.content()

    page.goto(f"{index_url}/account/login/")
    page.get_by_label("Username or email").fill(world.owner.username)
    page.get_by_label("Password").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/account/login/" not in url)

    page.goto(f"{index_url}/project/{name}/")
    expect(page.get_by_role("status").filter(has_text="private")).to_be_visible()
    _shoot(screenshot, page, "project-page")

    page.goto(f"{index_url}/manage/project/{name}/settings/")
    expect(page.get_by_role("heading", name="Visibility")).to_be_visible()
    _shoot(screenshot, page, "settings")
    page.get_by_label("Reason (optional, kept in the history)").fill("release day")
    page.get_by_role("button", name="Make public").click()
    expect(page.get_by_text(f"{name} is now public.")).to_be_visible()
    assert not Project.objects.get(pk=world.project.pk).is_private
    page.get_by_role("button", name="Make private").click()
    expect(page.get_by_text(f"{name} is now private.")).to_be_visible()
    assert Project.objects.get(pk=world.project.pk).is_private

    page.goto(f"{index_url}/manage/account/tokens/new/")
    _reauthenticate_if_asked(page)
    page.wait_for_url("**/manage/account/tokens/new/")
    page.get_by_label("Token name").fill("ci read")
    page.get_by_label("Scope").select_option(label=f"Read: organization {world.org.name}")
    page.get_by_role("button", name="Create token").click()
    token = page.locator("#new-token").input_value().strip()
    expect(page.get_by_role("heading", name="Using it with pip and uv")).to_be_visible()
    _shoot(screenshot, page, "read-token")

    scheme, _, rest = index_url.partition("://")
    target = tmp_path / "target"
    result = clients.pip_install(f"{scheme}://__token__:{token}@{rest}/simple/", [name], target)
    assert result.returncode == 0, result.stdout + result.stderr
    assert clients.import_version(target, name.replace("-", "_")) == "1.0"
