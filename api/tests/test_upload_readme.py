"""Issue 14: a README is rendered once, at upload, within a size, nesting and time budget
(core/readme.py); over it the upload is refused with a clear 400, never a hung worker or a
500; the HTML is stored on the release and pages only read it."""

import importlib

import pytest
from django.apps import apps as django_apps

from core import readme
from packages.models import Release

from .upload_support import post, snapshot, wheel

NESTED_QUOTES = "".join(">" * depth + " quoted\n" for depth in range(1, 60))  # quadratic in cmark-gfm
NESTED_RST_LISTS = "".join("  " * depth + "- item\n\n" for depth in range(200))  # RecursionError in docutils
INDENTED_RST = "\n\n".join(" " * depth + "para" for depth in range(1, 400))  # nests by indentation alone
HUGE_RST = ("word " * 200 + "\n\n") * 2000  # 2 MiB


def upload(ctx, description, content_type):
    filename, data = wheel(version="2.0")
    return post(ctx.client, ctx.token, filename, data, description=description, description_content_type=content_type)


@pytest.mark.parametrize(
    "description,content_type,phrase",
    [
        (NESTED_QUOTES, "text/markdown", "nests too deeply to render: 59 levels"),
        (NESTED_RST_LISTS, "text/x-rst", "nests too deeply to render"),
        (HUGE_RST, "text/x-rst", "too large to render"),
        (HUGE_RST, "text/markdown", "too large to render"),
        # RecursionError in the renderer, or the time budget on a loaded machine: a 400 either way.
        (INDENTED_RST, "", "failed to render in the default format of reStructuredText|took longer than"),
    ],
)
def test_a_readme_over_the_budget_is_refused_with_a_clear_400(ctx, description, content_type, phrase):
    before = snapshot()
    response = upload(ctx, description, content_type)
    assert response.status_code == 400, response.reason_phrase
    assert any(p in response.reason_phrase for p in phrase.split("|")), response.reason_phrase
    assert snapshot() == before


def test_the_time_budget_kills_the_rendering_child(monkeypatch):
    monkeypatch.setattr(readme, "TIME_BUDGET", 0.0)
    with pytest.raises(readme.ReadmeError, match="took longer than 0.0 seconds") as info:
        readme.render("A *small* README.\n", "text/x-rst")
    assert info.value.code == "too_large"


def test_the_readme_is_rendered_at_upload_and_pages_read_the_stored_html(ctx):
    response = upload(
        ctx, "Title\n=====\n\nInstallation\n------------\n\nSee `docs <https://example.org>`_.\n", "text/x-rst"
    )
    assert response.status_code == 200, response.reason_phrase
    release = Release.objects.get(project=ctx.existing, version="2.0")
    assert '<section id="user-content-installation">' in release.description_html  # rST anchors survive
    assert 'href="https://example.org"' in release.description_html
    Release.objects.filter(pk=release.pk).update(description_html="<p>stored-marker</p>")
    page = ctx.client.get("/project/existing-pkg/2.0/").content.decode()
    assert "stored-marker" in page and "Installation" not in page.split('id="description"', 1)[1]


def test_existing_releases_are_rendered_by_the_migration(ctx):
    release = Release.objects.filter(project=ctx.existing).first()
    Release.objects.filter(pk=release.pk).update(
        description="Some *text*.", description_content_type="text/markdown", description_html=""
    )
    migration = importlib.import_module("packages.migrations.0002_release_description_html")
    migration.render_existing(django_apps, None)
    release.refresh_from_db()
    assert release.description_html.strip() == "<p>Some <em>text</em>.</p>"


def test_an_unrenderable_stored_readme_is_kept_as_escaped_text():
    assert readme.render_or_fallback(NESTED_QUOTES, "text/markdown").startswith("&gt;")
