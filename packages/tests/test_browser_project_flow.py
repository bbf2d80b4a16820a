"""Browser walk: twine upload → project page → owner invites → collaborator accepts and yanks → pip skips it."""

import re

import pytest
from django.core import mail

from accounts.tests.factories import UserFactory
from accounts.tokens import issue_token
from devtools.dists import write_dists
from devtools.testing.clients import import_version, pip_install, twine_upload

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

README = """# Browser Demo

A package used by the **browser test**.

<script>window.pwned = true</script>
"""


def log_in(page, index_url, username, password):
    page.goto(f"{index_url}/account/login/")
    form = page.locator("form", has=page.locator("input[name=login]"))
    form.locator("input[name=login]").fill(username)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert "/account/login/" not in page.url, page.content()[:2000]


def test_upload_invite_accept_yank_then_pip_skips(
    orm_beside_playwright, transactional_db, index_url, browser, page, screenshot, password, tmp_path, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    owner = UserFactory(username="olive", name="Olive Owner")
    UserFactory(username="colin", name="Colin Collaborator")
    token = issue_token(owner, "browser test").raw
    files = []
    for version in ("1.0", "1.1"):
        files += write_dists(
            tmp_path / "dist", "browser-demo", version, description=README, summary="Browser demo package"
        )
    result = twine_upload(f"{index_url}/legacy/", token, files)
    assert result.returncode == 0, result.stdout + result.stderr

    # The public page shows the rendered README (without the script) and the files.
    page.goto(f"{index_url}/project/browser-demo/")
    assert page.get_by_role("heading", name="Browser Demo").is_visible()
    assert page.locator("#description strong", has_text="browser test").is_visible()
    assert page.evaluate("window.pwned === undefined")
    # The tabs show one section at a time; the files are behind "Download files" (keyboard too).
    assert not page.locator("#files").is_visible()
    page.get_by_role("tab", name="Project description").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert page.get_by_role("tab", name="Download files").get_attribute("aria-selected") == "true"
    for path in files:
        if "1.1" in path.name:
            assert page.get_by_role("link", name=path.name).is_visible()
    assert not page.locator("#description").is_visible()
    assert (
        page.locator("#pip-command").inner_text() == f"pip install --index-url {settings.SITE_URL}/simple/ browser-demo"
    )
    page.get_by_role("tab", name="Project description").click()
    assert screenshot(page, "packages-project-page") <= 0

    # Search finds it right away (the upload updated the index); the home page lists it.
    page.goto(f"{index_url}/search/?q=browser+demo")
    result = page.locator("li.result", has=page.get_by_role("link", name="browser-demo"))
    assert result.is_visible() and result.locator(".version").inner_text() == "1.1"
    assert screenshot(page, "packages-search") <= 0
    page.goto(f"{index_url}/")
    assert page.get_by_role("link", name="browser-demo 1.1").is_visible()
    assert screenshot(page, "packages-home") <= 0

    # The owner invites colin as Maintainer.
    log_in(page, index_url, "olive", password)
    page.goto(f"{index_url}/manage/projects/")
    assert page.get_by_role("cell", name="Owner").is_visible()
    assert screenshot(page, "packages-your-projects") <= 0
    page.goto(f"{index_url}/manage/project/browser-demo/settings/")
    assert screenshot(page, "packages-manage-settings") <= 0
    page.goto(f"{index_url}/manage/project/browser-demo/collaborators/")
    page.get_by_label("Username or email address").fill("colin")
    page.get_by_label("Role", exact=True).select_option("Maintainer")
    page.get_by_role("button", name="Send invitation").click()
    assert page.get_by_text("Invited colin as Maintainer").is_visible()
    assert screenshot(page, "packages-manage-collaborators") <= 0
    invitation_mail = [m for m in mail.outbox if m.to == ["colin@example.com"]]
    assert invitation_mail and "/manage/invitations/" in invitation_mail[0].body

    # colin accepts (in a browser of his own) and yanks 1.1.
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        colin = context.new_page()
        colin.set_default_timeout(15000)
        log_in(colin, index_url, "colin", password)
        link = re.search(r"https?://\S+/manage/invitations/[\w-]+/", invitation_mail[0].body).group(0)
        colin.goto(link.replace("http://127.0.0.1:8000", index_url))
        assert screenshot(colin, "packages-invitation") <= 0
        colin.get_by_role("button", name="Accept").click()
        assert colin.get_by_text("You are now Maintainer of browser-demo").is_visible()
        colin.get_by_role("link", name="1.1", exact=True).click()
        colin.get_by_label("Reason (optional, shown to users)").fill("broken on Tuesdays")
        asked = []
        colin.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
        colin.get_by_role("button", name="Yank 1.1").click()
        assert colin.get_by_text("Yanked browser-demo 1.1").is_visible()
        assert asked == ["Yank browser-demo 1.1? Installers will skip it unless a requirement pins it exactly."]
        assert screenshot(colin, "packages-manage-release-yanked") <= 0
    finally:
        context.close()

    page.goto(f"{index_url}/project/browser-demo/1.1/")
    assert page.get_by_text("broken on Tuesdays").is_visible()
    history = page.goto(f"{index_url}/manage/project/browser-demo/history/")
    assert history.ok and page.get_by_role("cell", name="yank release").is_visible()
    assert screenshot(page, "packages-manage-history") <= 0

    # pip no longer picks the yanked 1.1.
    target = tmp_path / "site"
    result = pip_install(f"{index_url}/simple/", ["browser-demo"], target)
    assert result.returncode == 0, result.stdout + result.stderr
    assert import_version(target, "browser_demo") == "1.0"
