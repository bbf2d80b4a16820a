"""Sponsors: staff add them in the admin with a checked logo; /sponsors/, the footer and the home
page show the active ones; nothing about them reaches pip, twine or the APIs."""

import io
import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.tests.factories import UserFactory
from devtools.testing.staff import staff_login
from sponsors import logos
from sponsors.admin import SponsorForm
from sponsors.models import Sponsor, SponsorLevel, SponsorsPage

pytestmark = pytest.mark.django_db

SAFE_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10" fill="#123"/></svg>'
)
HOSTILE_SVGS = {
    "script": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    "handler": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="1" height="1"/></svg>',
    "link": b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:x="http://www.w3.org/1999/xlink"><a x:href="javascript:alert(1)"><rect/></a></svg>',
    "foreign": b'<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><p>x</p></foreignObject></svg>',
    "style": b'<svg xmlns="http://www.w3.org/2000/svg"><style>*{background:url(https://evil/)}</style></svg>',
    "remote paint": b'<svg xmlns="http://www.w3.org/2000/svg"><rect fill="url(https://evil/x.svg#a)"/></svg>',
    "entity": b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
}


def png_bytes(size=(8, 8)):
    out = io.BytesIO()
    Image.new("RGB", size, "red").save(out, "PNG")
    return out.getvalue()


def test_raster_and_safe_svg_logos_are_kept_with_their_type():
    assert logos.check(png_bytes()).content_type == "image/png"
    svg = logos.check(SAFE_SVG)
    assert svg.content_type == "image/svg+xml" and b"<rect" in svg.data
    import xml.etree.ElementTree as ElementTree

    ElementTree.register_namespace("svg", "http://www.w3.org/2000/svg")  # what another library may do
    try:
        assert logos.check(SAFE_SVG).data == svg.data
    finally:
        ElementTree._namespace_map.pop("http://www.w3.org/2000/svg", None)


@pytest.mark.parametrize("kind", sorted(HOSTILE_SVGS))
def test_svgs_that_could_run_or_load_anything_are_refused(kind):
    with pytest.raises(ValidationError):
        logos.check(HOSTILE_SVGS[kind])


def test_other_files_and_oversized_logos_are_refused():
    for data in (b"GIF89a" + b"\0" * 20, b"%PDF-1.4", b"just text", b"\x89PNG\r\n\x1a\nbroken"):
        with pytest.raises(ValidationError):
            logos.check(data)
    with pytest.raises(ValidationError, match="at most 256 KiB"):
        logos.check(b"\x89PNG" + b"\0" * (logos.MAX_BYTES + 1))


@pytest.fixture
def staff_client(client, password):
    from django.test import Client

    admin = UserFactory(username="sponsor-admin", is_staff=True, is_superuser=True)
    browser = Client()
    staff_login(browser, admin, password)
    return browser


def _form(**changes):
    level = SponsorLevel.objects.get_or_create(name="Visionary", order=1)[0]
    data = {
        "name": "Acme",
        "link_url": "https://acme.example/",
        "description": "Rockets <b>and</b> more",
        "level": level.pk,
        "in_footer": "on",
        "on_sponsors_page": "on",
        "on_home_page": "on",
    }
    data.update(changes.pop("data", {}))
    files = {"logo": SimpleUploadedFile("logo.png", changes.pop("logo", png_bytes()))}
    return SponsorForm(data=data, files=files)


def test_links_are_http_or_https_only():
    for url in ("javascript:alert(1)", "data:text/html,x", "ftp://acme.example/"):
        form = _form(data={"link_url": url})
        assert not form.is_valid() and "link_url" in form.errors, url


def add_sponsor(**changes):
    form = _form(**changes)
    assert form.is_valid(), form.errors
    return form.save()


def test_pages_show_active_sponsors_by_level_and_escape_what_they_say(client, settings):
    settings.SPONSORS_CONTACT_EMAIL = "sponsors@index.example"
    acme = add_sponsor()
    gold = SponsorLevel.objects.create(name="Supporter", order=5)
    past = add_sponsor(
        data={"name": "Gone Inc", "level": gold.pk, "active_until": (timezone.now() - timedelta(days=1)).date()}
    )
    SponsorsPage.objects.create(how_to_sponsor="Sponsorships fund the servers.\n\nAsk us.")
    html = client.get("/sponsors/").content.decode()
    assert "<h2>Visionary</h2>" in html and "Acme" in html and "Gone Inc" not in html
    assert 'rel="noopener sponsored"' in html and "Rockets &lt;b&gt;and&lt;/b&gt; more" in html
    assert "Sponsorships fund the servers." in html and "mailto:sponsors@index.example" in html
    assert f'src="{acme.logo_url}" alt="Acme"' in html
    # Footer of every page, and the home page.
    home = client.get("/").content.decode()
    assert 'class="footer-sponsors"' in home and 'class="home-sponsors"' in home
    assert 'class="footer-sponsors"' in client.get("/help/").content.decode()
    assert past.name not in home


def test_the_logo_is_served_with_its_checked_type_and_nothing_can_run(client):
    sponsor = add_sponsor(logo=SAFE_SVG)
    response = client.get(sponsor.logo_url)
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert "sandbox" in response["Content-Security-Policy"] and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"<svg")
    assert client.get("/sponsors/logo/nothing.svg").status_code == 404


def test_without_sponsors_no_empty_boxes_and_nothing_for_clients(client):
    home = client.get("/").content.decode()
    assert "footer-sponsors" not in home and "home-sponsors" not in home
    add_sponsor()
    for path in ("/simple/", "/pypi/openapi.json"):
        assert b"Acme" not in client.get(path).getvalue(), path


def test_an_admin_change_is_logged_and_shows_at_once(staff_client, client):
    level = SponsorLevel.objects.create(name="Visionary", order=1)
    response = staff_client.post(
        "/admin/sponsors/sponsor/add/",
        {
            "name": "Logged Co",
            "link_url": "https://logged.example/",
            "level": level.pk,
            "in_footer": "on",
            "on_sponsors_page": "on",
            "logo": SimpleUploadedFile("l.png", png_bytes()),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    from django.contrib.admin.models import LogEntry

    assert LogEntry.objects.filter(object_repr="Logged Co").exists()
    assert "Logged Co" in client.get("/sponsors/").content.decode()
    refused = staff_client.post(
        "/admin/sponsors/sponsor/add/",
        {
            "name": "Evil",
            "link_url": "https://evil.example/",
            "level": level.pk,
            "logo": SimpleUploadedFile("e.svg", HOSTILE_SVGS["script"]),
        },
    )
    assert refused.status_code == 200 and re.search(r"may not contain &lt;script&gt;", refused.content.decode())
    assert not Sponsor.objects.filter(name="Evil").exists()
