"""Public pages: project and release pages, home, feeds, help."""

import pytest
from django.db import transaction

from accounts.tests.factories import UserFactory
from devtools.publish import publish
from packages import services
from packages.models import Project
from packages.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

README = "# Widget\n\nMakes **widgets** better.\n"


@pytest.fixture
def widget(user):
    publish(
        user,
        "Widget_Lib",
        "1.0",
        description=README,
        metadata={
            "description": README,
            "description_content_type": "text/markdown",
            "license_expression": "MIT",
            "requires_python": ">=3.9",
            "author": "Ada Author",
            "project_urls": {"Source": "https://example.org/src", "Evil": "javascript:alert(1)"},
            "classifiers": ["Programming Language :: Python :: 3", "License :: OSI Approved :: MIT License"],
        },
    )
    publish(user, "Widget_Lib", "2.0b1", kinds=("wheel",), metadata={"summary": "beta"})
    return Project.objects.get(normalized_name="widget-lib")


def test_project_page_shows_readme_meta_files_and_history(client, widget, user):
    response = client.get("/project/widget-lib/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>widgets</strong>" in html  # README rendered from Markdown
    # The install commands name this index (latest final release, no pin).
    assert "pip install --index-url http://127.0.0.1:8000/simple/ Widget_Lib</code>" in html
    assert "uv pip install --index-url http://127.0.0.1:8000/simple/ Widget_Lib</code>" in html
    assert "Latest version" in html and "Released <time" in html
    assert "MIT" in html and "&gt;=3.9" in html and "Ada Author" in html
    assert 'href="https://example.org/src"' in html
    assert "javascript:" not in html
    # Classifiers grouped under their top level, each linking to a search for it.
    assert "<dt>Programming Language</dt>" in html and ">Python :: 3</a>" in html
    assert 'href="/search/?c=License%20%3A%3A%20OSI%20Approved%20%3A%3A%20MIT%20License"' in html
    assert f">{user.initials}<" in html and f"/user/{user.username}/" in html
    assert "Release history" in html and "2.0b1" in html and "pre-release" in html
    file = widget.releases.get(version="1.0").files.get(packagetype="sdist")
    assert file.filename in html and file.sha256_digest in html and file.blake2_256_digest in html
    assert file.url_path in html
    assert (
        html.index("<h3>Source distribution</h3>")
        < html.index(file.filename)
        < html.index("<h3>Built distributions</h3>")
    )
    assert html.count("View hashes") == 2
    assert "/project/widget-lib/report/" in html


def test_non_normalized_name_redirects_permanently(client, widget):
    response = client.get("/project/Widget.Lib/")
    assert response.status_code == 301 and response["Location"] == "/project/widget-lib/"
    response = client.get("/project/Widget_Lib/1.0/")
    assert response.status_code == 301 and response["Location"] == "/project/widget-lib/1.0/"


def test_release_page_pins_version_and_links_latest(client, widget):
    response = client.get("/project/widget-lib/2.0b1/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "pip install --index-url http://127.0.0.1:8000/simple/ Widget_Lib==2.0b1" in html
    assert "not the latest version" in html and "Newer version available (1.0)" in html


def test_non_canonical_version_redirects_and_unknown_is_404(client, widget):
    assert client.get("/project/widget-lib/1.0.0/")["Location"] == "/project/widget-lib/1.0/"
    assert client.get("/project/widget-lib/9.9/").status_code == 404
    assert client.get("/project/no-such/").status_code == 404


def test_yanked_release_shows_banner(client, widget, user):
    release = widget.releases.get(version="1.0")
    with transaction.atomic():
        services.yank_release(release, "broken build", user)
    html = client.get("/project/widget-lib/1.0/").content.decode()
    assert "Yanked release" in html and "broken build" in html


def test_project_without_releases_links_help(client, user):
    ProjectFactory(name="empty-one", owner=user)
    html = client.get("/project/empty-one/").content.decode()
    assert "No releases yet" in html and 'href="/help/#create-release"' in html


def test_quarantined_project_hidden_except_for_collaborators(client, widget, user, other_user):
    with transaction.atomic():
        services.set_status(widget, "quarantined", None, "under review")
    assert client.get("/project/widget-lib/").status_code == 404
    client.force_login(other_user)
    assert client.get("/project/widget-lib/").status_code == 404
    client.force_login(user)
    assert "quarantined" in client.get("/project/widget-lib/").content.decode()


def test_archived_status_shown(client, widget, user):
    with transaction.atomic():
        services.set_status(widget, "archived", user, "done")
    html = client.get("/project/widget-lib/").content.decode()
    assert "archived" in html and "done" in html


def test_project_page_query_count_is_bounded(client, user, django_assert_max_num_queries):
    for version in ("1.0", "1.1", "1.2", "1.3"):
        publish(user, "many", version)
    for _ in range(4):
        with transaction.atomic():
            services.add_role(Project.objects.get(name="many"), UserFactory(), "Maintainer", user)
    client.force_login(user)
    with django_assert_max_num_queries(12):
        assert client.get("/project/many/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/project/many/1.1/").status_code == 200


def test_home_counts_and_recent(client, widget, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get("/")
    html = response.content.decode()
    assert "Widget_Lib 2.0b1" in html
    assert response.context["stats"]["projects"] == 1
    assert response.context["stats"]["releases"] == 2
    assert response.context["stats"]["files"] == 3
    # One search box (the page's own, prominent), explainers with this index's URLs, and each
    # recently updated project once, with its newest release.
    assert html.count('type="search"') == 1 and 'id="home-search"' in html
    assert "pip install --index-url http://127.0.0.1:8000/simple/" in html
    assert "twine upload --repository-url http://127.0.0.1:8000/legacy/" in html
    updated = html.split("Recently updated projects", 1)[1]
    assert updated.count('href="/project/widget-lib/"') == 1 and '<span class="version">2.0b1</span>' in updated


def test_feeds(client, widget, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        updates = client.get("/rss/updates.xml")
    assert updates.status_code == 200 and "application/rss+xml" in updates["Content-Type"]
    assert b"Widget_Lib 2.0b1" in updates.content
    packages = client.get("/rss/packages.xml").content.decode()
    assert "<title>Widget_Lib</title>" in packages
    project = client.get("/rss/project/Widget_Lib/releases.xml").content.decode()
    assert "<title>2.0b1</title>" in project and "/project/widget-lib/1.0/" in project
    assert client.get("/rss/project/nope/releases.xml").status_code == 404


@pytest.mark.parametrize(
    "url,text",
    [
        ("/help/", "How to create a new release"),
        ("/policy/privacy/", "Privacy policy"),
        ("/policy/code-of-conduct/", "Code of conduct"),
    ],
)
def test_static_pages(client, url, text):
    response = client.get(url)
    assert response.status_code == 200 and text in response.content.decode()


def test_help_explains_twine_upload(client):
    html = client.get("/help/").content.decode()
    assert 'id="create-release"' in html and "twine upload" in html and "python -m build" in html
