"""The search page as people use it: one box, a classifier tree, numbered pages, suggestions;
and /classifiers/, which upload errors link to."""

import re

import pytest
from trove_classifiers import deprecated_classifiers, sorted_classifiers

from api.upload.errors import UploadError
from api.upload.metadata import check_classifiers
from packages.tests.factories import ProjectFactory, ReleaseFactory

pytestmark = pytest.mark.django_db

PY3 = "Programming Language :: Python :: 3"
MIT = "License :: OSI Approved :: MIT License"


@pytest.fixture
def many(user):
    for number in range(45):
        project = ProjectFactory(name=f"widget{number:02d}", owner=user)
        ReleaseFactory(project=project, version="1.0", uploader=user, summary="a widget", classifiers=[PY3, MIT])


def test_one_query_box_and_a_grouped_classifier_tree(client, many):
    html = client.get("/search/", {"q": "widget", "c": MIT}).content.decode()
    assert html.count('type="search"') == 1  # the header's box is not repeated on the search page
    assert "<summary>License" in html and "<summary>Programming Language" in html
    box = re.search(
        r'<input type="checkbox" name="c" value="License :: OSI Approved :: MIT License" id="([^"]+)" checked>', html
    )
    assert box and f'<label for="{box.group(1)}">OSI Approved :: MIT License</label>' in html
    assert re.search(r"<details open>\s*<summary>License", html)  # the group of a ticked filter is open


def test_numbered_pages_with_the_current_one_marked(client, many):
    html = client.get("/search/", {"q": "widget", "page": "2"}).content.decode()
    assert "45 projects" in html
    assert re.search(r'page=1">1</a>', html) and re.search(r'page=3">3</a>', html)
    assert re.search(r'page=2" aria-current="page">2</a>', html)
    assert 'rel="prev"' in html and 'rel="next"' in html


def test_each_result_shows_its_version_and_release_date(client, many):
    html = client.get("/search/", {"q": "widget07"}).content.decode()
    assert '<span class="version">1.0</span>' in html and "Released <time" in html


def test_no_results_suggest_close_names_and_what_to_try(client, many):
    html = client.get("/search/", {"q": "widget07x"}).content.decode()
    assert "No projects match" in html and "Try fewer or different words" in html
    suggested = re.findall(r'<li><a href="/project/([^/]+)/">', html.split("Did you mean", 1)[1])
    assert suggested[0] == "widget07" and len(suggested) <= 5
    html = client.get("/search/", {"q": "qqqqq"}).content.decode()
    assert "No projects match" in html and "Did you mean" not in html


def test_classifiers_page_lists_every_current_classifier_with_a_search_link(client):
    html = client.get("/classifiers/").content.decode()
    current = [name for name in sorted_classifiers if name not in deprecated_classifiers]
    links = re.findall(r'<a href="/search/\?c=[^"]+">([^<]+)</a>', html)
    assert len(links) == len(current)
    assert "Development Status :: 5 - Production/Stable" in links
    assert not set(deprecated_classifiers) & set(links)
    assert html.count("<h1") == 1


def test_classifier_errors_link_to_this_index_not_pypi_org(settings):
    settings.SITE_URL = "https://index.example"
    with pytest.raises(UploadError) as refused:
        check_classifiers({"classifiers": ["Not :: Real"]})
    assert "https://index.example/classifiers/" in refused.value.message
    assert refused.value.help_url == "https://index.example/classifiers/"
    assert "pypi.org" not in refused.value.message
