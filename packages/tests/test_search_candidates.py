"""A full-text search ranks a bounded set of candidates (packages/search_candidates.py), and the
results stay sensible: every one matches, the exact name first, names starting with the query
kept, a rare word's results complete. PostgreSQL only (SQLite searches by substring)."""

import pytest
from django.db import connection

from packages import search_candidates
from packages.search import search
from packages.tests.factories import ProjectFactory, ReleaseFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search is PostgreSQL's"),
]
PY3 = "Programming Language :: Python :: 3"


@pytest.fixture
def small_bounds(monkeypatch):
    """Rank 5 at most; a word in 3 of the newest 10 projects is walked for, over 20 rows at most."""
    for name, value in (("CAP", 5), ("SAMPLE", 10), ("MIN_HITS", 3), ("WALK_ROWS", 20)):
        monkeypatch.setattr(search_candidates, name, value)


def make(user, name, summary, **metadata):
    project = ProjectFactory(name=name, owner=user)
    ReleaseFactory(project=project, version="1.0", uploader=user, summary=summary, **metadata)
    return project


def names(found):
    return [project.name for project in found.projects]


def test_a_common_word_ranks_a_bounded_set_of_its_newest_matches(user, small_bounds):
    make(user, "alpha", "the common word first of all")
    for n in range(12):
        make(user, f"pkg-{n:02d}", "a common word" if n % 2 else "nothing to see")
    found = search("common")
    assert found.capped
    assert len(found.projects) == 5
    # The newest CAP + 1 matches were ranked; the lowest ranked of them (the last by name) went.
    assert names(found) == ["pkg-01", "pkg-03", "pkg-05", "pkg-07", "pkg-09"]


def test_the_exact_name_and_names_starting_with_the_query_are_kept(user, small_bounds):
    make(user, "common", "the oldest of all")  # its name is its only match to the query
    make(user, "common-tools", "tools")
    for n in range(12):
        make(user, f"pkg-{n:02d}", "common words")
    found = search("common")
    assert found.capped
    assert names(found)[:2] == ["common", "common-tools"]  # the exact name, then a name match (weight A)
    assert len(found.projects) == 2 + 5


def test_a_multi_word_query_puts_the_project_of_that_name_first(user):
    make(user, "rest-client", "a client for rest")
    make(user, "client-rest", "rest client, again")
    assert names(search("rest client"))[0] == "rest-client"
    assert names(search("client rest"))[0] == "client-rest"


def test_a_rare_word_finds_every_match_ranked(user, small_bounds):
    for n in range(12):
        make(user, f"pkg-{n:02d}", "filler")
    make(user, "zeppelin", "airships")
    make(user, "blimp", "about zeppelin airships")
    make(user, "kite", "zeppelin")
    found = search("zeppelin")
    assert not found.capped
    assert names(found) == ["zeppelin", "blimp", "kite"]  # name match first, then by rank and name


def test_a_word_dense_only_among_the_newest_still_finds_enough(user, small_bounds):
    """The walk looks at WALK_ROWS projects at most; short of CAP matches, the index finds the rest."""
    for n in range(3):
        make(user, f"old-{n}", "wave of old")
    for n in range(25):
        make(user, f"mid-{n:02d}", "filler")
    for n in range(4):
        make(user, f"new-{n}", "wave again")
    found = search("wave")
    assert found.capped
    assert len(found.projects) == 5
    assert {"new-0", "new-1", "new-2", "new-3"} <= set(names(found))


def test_every_result_matches_every_word_and_classifier(user, small_bounds):
    for n in range(12):
        make(user, f"pkg-{n:02d}", "common words" if n % 3 else "common", classifiers=[PY3] if n % 2 else [])
    found = search("common words", classifiers=[PY3])
    assert set(names(found)) == {"pkg-01", "pkg-05", "pkg-07", "pkg-11"}
    assert not found.capped


def test_date_order_sorts_the_same_candidates(user, small_bounds):
    for n in range(12):
        make(user, f"pkg-{n:02d}", "common words")
    ReleaseFactory(project=search("pkg-08").projects[0], version="2.0", uploader=user, summary="common again")
    found = search("common", order="date")
    assert found.capped
    assert len(found.projects) == 5
    assert found.projects[0].name == "pkg-08"  # its release is the newest


def test_the_search_page_says_when_more_matched_than_were_ranked(client, user, small_bounds):
    for n in range(12):
        make(user, f"pkg-{n:02d}", "common words")
    html = client.get("/search/", {"q": "common"}).content.decode()
    assert "More than 5 projects for “common”" in html
    assert "add words to narrow the search" in html
    html = client.get("/search/", {"q": "pkg-03"}).content.decode()
    assert "1 project for" in html
