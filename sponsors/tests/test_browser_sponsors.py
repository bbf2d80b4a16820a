"""In Chromium: the sponsors page and footer with real logos, the admin refusing a script-bearing
SVG, and the statistics page."""

import pytest
from playwright.sync_api import expect

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from devtools.publish import publish
from devtools.testing.staff import add_totp, totp_code
from packages.models import File
from sponsors.tests.test_sponsors import HOSTILE_SVGS, add_sponsor
from stats.models import DailyDownloads
from stats.services import today

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def _logo_loaded(page, selector):
    """The logo was fetched and decoded (it loads lazily: brought into view, then awaited)."""
    page.locator(selector).first.scroll_into_view_if_needed()
    page.wait_for_function(
        "selector => { const img = document.querySelector(selector); return img && img.complete && img.naturalWidth > 0; }",
        arg=selector,
        timeout=15000,
    )
    return True


def test_sponsors_page_footer_and_admin_refusing_a_script_svg(
    orm_beside_playwright, transactional_db, index_url, page, screenshot, tmp_path
):
    add_sponsor()
    page.goto(f"{index_url}/sponsors/")
    assert page.get_by_role("heading", name="Visionary").is_visible()
    assert _logo_loaded(page, "main .sponsor img")
    assert page.locator("main .sponsor a.sponsor-name").get_attribute("rel") == "noopener sponsored"
    assert screenshot(page, "sponsors-page") <= 0
    page.goto(f"{index_url}/help/")
    assert _logo_loaded(page, "footer .footer-sponsors img")
    assert page.locator("footer .footer-sponsors img").get_attribute("alt") == "Acme"

    admin = UserFactory(username="sponsor-staff", is_staff=True, is_superuser=True)
    secret = add_totp(admin)
    page.goto(f"{index_url}/admin/sponsors/sponsor/add/")
    page.locator("input[name=login]").fill(admin.username)  # the admin sends staff to allauth's login
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    page.locator("input[name=code]").fill(totp_code(secret))
    page.locator("main form button[type=submit]").first.click()
    page.wait_for_url("**/admin/sponsors/sponsor/add/")
    evil = tmp_path / "evil.svg"
    evil.write_bytes(HOSTILE_SVGS["script"])
    page.locator("#id_name").fill("Evil Corp")
    page.locator("#id_link_url").fill("https://evil.example/")
    page.locator("#id_level").select_option(label="Visionary")
    page.locator("#id_logo").set_input_files(str(evil))
    page.locator("input[name=_save]").click()
    expect(page.locator(".errorlist", has_text="may not contain <script> elements")).to_be_visible()
    from sponsors.models import Sponsor

    assert not Sponsor.objects.filter(name="Evil Corp").exists()


def test_statistics_page(orm_beside_playwright, transactional_db, index_url, page, screenshot):
    publish(UserFactory(username="stats-owner"), "popular", "1.0", kinds=("wheel",))
    DailyDownloads.objects.create(file=File.objects.get(), day=today(), installer="pip", python="3.12", count=1234)
    page.goto(f"{index_url}/stats/")
    assert page.get_by_role("heading", name="Statistics").is_visible()
    row = page.locator("table tbody tr").first
    assert "popular" in row.inner_text() and "1,234" in row.inner_text()
    assert "1,234" in page.locator(".stats").inner_text()
    assert screenshot(page, "stats-page") <= 0
