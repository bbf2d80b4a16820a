"""Every page of the site, as a visitor, a maintainer and staff, at 1280 px and 375 px, in Chromium.

The crawl starts from the pages each role can reach, follows every same-site link it finds, and
fails on: a status of 500 or more, a dead internal link, horizontal scrolling, a form field
without a label, a button that keeps the browser's default look (the admin excepted), or more
than one h1. A screenshot of every page goes to var/screenshots/crawl/.
"""

import re
from collections import Counter, deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command

from devtools.testing.staff import totp_code

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

WIDTHS = {"desktop": 1280, "phone": 375}
PAGES_PER_ROLE = 60
PAGES_PER_SHAPE = 3  # /project/a/, /project/b/ … are one kind of page: a few of each are enough
# Links that change state when followed, or that are not pages for people.
NOT_CRAWLED = re.compile(r"^/(account/logout|simple/|packages/|legacy|pypi|rss/|integrity/|_/|_health|metrics|static/)")
NOT_CHECKED = re.compile(r"^/(account/logout)")

FIELD_WITHOUT_LABEL = """() => [...document.querySelectorAll('input, select, textarea')].filter(el => {
  if (['hidden', 'submit', 'button', 'reset', 'image'].includes(el.type)) return false;
  if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby') || el.closest('label')) return false;
  if (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)) return false;
  return true;
}).map(el => el.outerHTML.slice(0, 120))"""

BUTTON_LOOKS = """() => [...document.querySelectorAll('button, input[type=submit], input[type=button]')]
  .filter(el => el.offsetParent !== null)
  .map(el => { const s = getComputedStyle(el);
    return [el.outerHTML.slice(0, 120), [s.backgroundColor, s.borderTopStyle, s.borderTopColor, s.color].join('|')]; })"""

MISSING_ANCHORS = """() => [...document.querySelectorAll('a[href^="#"]')].map(a => a.getAttribute('href').slice(1))
  .filter(id => id && !document.getElementById(id) && !document.getElementsByName(id).length)"""


def _shape(path):
    parts = [part for part in path.split("/") if part]
    return (parts[0] if parts else "", len(parts), parts[-1] if parts and not re.search(r"\d", parts[-1]) else "")


def _default_button_look(browser):
    page = browser.new_page()
    page.set_content("<button>x</button><input type=submit value=x>")
    looks = {look for _, look in page.evaluate(BUTTON_LOOKS)}
    page.close()
    return looks


def _log_in(page, base, username, password, totp_secret=None):
    page.goto(f"{base}/account/login/")
    page.get_by_label(re.compile("Username or e-?mail|Username", re.I)).first.fill(username)
    page.get_by_label("Password").first.fill(password)
    page.locator("main form button[type=submit], main form input[type=submit]").first.click()
    page.wait_for_load_state()
    if totp_secret and "/2fa/authenticate" in page.url:
        page.get_by_label(re.compile("code", re.I)).first.fill(totp_code(totp_secret))
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()


def _crawl(context, base, starts, role, default_looks, problems, screenshots):
    page = context.new_page()
    page.set_default_timeout(15000)
    seen, shapes, statuses = set(), Counter(), {}
    queue = deque(starts)
    visited = 0
    while queue and visited < PAGES_PER_ROLE:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        shape = _shape(path)
        if shapes[shape] >= PAGES_PER_SHAPE:
            continue
        shapes[shape] += 1
        response = page.goto(base + path)
        visited += 1
        status = response.status if response else 0
        if status >= 500 or status == 0:
            problems.append(f"{role} {path}: status {status}")
            continue
        if status >= 400 and not path.startswith("/no-such"):
            problems.append(f"{role} {path}: status {status}")
        headings = page.locator("h1").count()
        if headings > 1:
            problems.append(f"{role} {path}: {headings} h1 elements")
        for field in page.evaluate(FIELD_WITHOUT_LABEL):
            problems.append(f"{role} {path}: field without a label: {field}")
        if not path.startswith("/admin/"):
            for html, look in page.evaluate(BUTTON_LOOKS):
                if look in default_looks:
                    problems.append(f"{role} {path}: button in the browser's default style: {html}")
        slug = re.sub(r"[^a-zA-Z0-9]+", "-", path).strip("-") or "home"
        for name, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 900})
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0 and not path.startswith("/admin/"):
                problems.append(f"{role} {path}: {overflow}px of horizontal scrolling at {width}px")
            page.screenshot(path=str(screenshots / f"{role}-{slug}-{name}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        # In-page anchors must point at something on the page.
        for anchor in page.evaluate(MISSING_ANCHORS):
            problems.append(f"{role} {path}: dead link to #{anchor}")
        for href in page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))"):
            url = urlsplit(urljoin(base + path, href))
            if url.netloc != urlsplit(base).netloc or url.scheme not in ("http", "https"):
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            if NOT_CHECKED.match(url.path):
                continue
            if NOT_CRAWLED.match(url.path):
                statuses.setdefault(target, path)
            elif target not in seen:
                queue.append(target)
    # Links to files, feeds and the APIs: they must answer, even if they are not pages.
    for target, found_on in statuses.items():
        answer = context.request.get(base + target, max_redirects=5)
        if answer.status >= 400:
            problems.append(f"{role} {found_on}: dead link to {target} ({answer.status})")
    page.close()
    return visited


def test_every_page_for_every_role(orm_beside_playwright, transactional_db, index_url, browser):
    from allauth.mfa.totp.internal.auth import TOTP

    from accounts.models import User

    call_command("seed_dev_data", verbosity=0)
    admin = User.objects.get(username="admin")
    secret = "JBSWY3DPEHPK3PXP"
    TOTP.activate(admin, secret)

    screenshots = Path(settings.BASE_DIR) / "var" / "screenshots" / "crawl"
    screenshots.mkdir(parents=True, exist_ok=True)
    default_looks = _default_button_look(browser)
    problems, counts = [], {}
    public_starts = [
        "/",
        "/search/?q=lite",
        "/search/?q=zzzz-no-such-thing",
        "/project/requests-lite/",
        "/help/",
        "/user/alice/",
        "/no-such-page/",
        "/account/login/",
        "/account/signup/",
        "/account/password/reset/",
    ]
    roles = {
        "visitor": (None, public_starts),
        "maintainer": (
            ("alice", "dev-password-123", None),
            [
                "/manage/projects/",
                "/manage/account/",
                "/manage/account/tokens/",
                "/manage/account/security/",
                "/account/email/",
                "/account/password/change/",
                "/account/2fa/",
                "/manage/invitations/",
                *public_starts[:5],
            ],
        ),
        "staff": (("admin", "admin-password-123", secret), ["/admin/", "/manage/projects/", "/project/evil-helper/"]),
    }
    for role, (login, starts) in roles.items():
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        try:
            if login:
                page = context.new_page()
                _log_in(page, index_url, *login)
                page.close()
            counts[role] = _crawl(context, index_url, starts, role, default_looks, problems, screenshots)
        finally:
            context.close()
    assert all(count >= 5 for count in counts.values()), counts
    assert not problems, "\n".join(problems)
