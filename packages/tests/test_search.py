"""Search: words over name, summary, keywords and description; classifiers; ordering; paging."""

import pytest
from django.db import transaction
from django.test.utils import CaptureQueriesContext

from packages import services
from packages.models import Project
from packages.search import search_projects
from packages.tests.factories import ProjectFactory, ReleaseFactory

pytestmark = pytest.mark.django_db

PY3 = "Programming Language :: Python :: 3"
WEB = "Framework :: Django"


@pytest.fixture
def corpus(user):
    def release(name, version, **metadata):
        project = Project.objects.filter(name=name).first() or ProjectFactory(name=name, owner=user)
        return ReleaseFactory(project=project, version=version, uploader=user, **metadata)

    release("quickjson", "1.0", summary="Fast JSON parser", keywords="json,speed", classifiers=[PY3])
    release(
        "slowxml", "1.0", summary="An XML toolkit", description="Also reads json files slowly.", classifiers=[PY3, WEB]
    )
    release("webthing", "0.1", summary="Web helpers", keywords="http", classifiers=[WEB])
    release("json", "2.0", summary="The json name itself", classifiers=[PY3])
    return release


def names(queryset):
    return [p.name for p in queryset]


def test_word_matches_name_summary_keywords_description(corpus):
    found = names(search_projects("json"))
    assert set(found) == {"quickjson", "slowxml", "json"}
    assert found[0] == "json"  # the exact name ranks first


def test_summary_word(corpus):
    assert names(search_projects("toolkit")) == ["slowxml"]


def test_keyword(corpus):
    assert names(search_projects("http")) == ["webthing"]


def test_all_words_must_match(corpus):
    assert names(search_projects("xml toolkit")) == ["slowxml"]
    assert names(search_projects("xml nothingmatches")) == []


def test_prefix_of_a_name(corpus):
    assert "webthing" in names(search_projects("webth"))


def test_classifier_filter(corpus):
    assert set(names(search_projects("", classifiers=[WEB]))) == {"slowxml", "webthing"}
    assert names(search_projects("", classifiers=[WEB, PY3])) == ["slowxml"]
    assert names(search_projects("web", classifiers=[PY3])) == []


def test_order_by_date(corpus):
    corpus("webthing", "0.2", summary="Web helpers, again")
    assert names(search_projects("", classifiers=[WEB], order="date"))[0] == "webthing"


def test_date_order_without_words_lists_the_never_released_last(corpus, user):
    ProjectFactory(name="never-released", owner=user)
    corpus("webthing", "0.2", summary="Web helpers, again")
    found = names(search_projects("", order="date"))
    assert found[0] == "webthing"
    assert found[-1] == "never-released"
    assert sorted(found) == ["json", "never-released", "quickjson", "slowxml", "webthing"]


def test_date_order_without_words_is_bounded(corpus, user, monkeypatch):
    from packages import search_candidates
    from packages.search import search

    monkeypatch.setattr(search_candidates, "CAP", 2)
    corpus("slowxml", "1.1", summary="newest")
    found = search("", order="date")
    assert found.capped
    assert [p.name for p in found.projects] == ["slowxml", "json"]  # the newest releases first


def test_new_release_updates_results(corpus):
    assert names(search_projects("fluxcapacitor")) == []
    corpus("quickjson", "1.1", summary="Now with a fluxcapacitor")
    assert names(search_projects("fluxcapacitor")) == ["quickjson"]


def test_an_older_version_uploaded_later_does_not_replace_the_latest_text(corpus):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite's substring fallback searches every release, not the latest's text")
    corpus("quickjson", "0.9", summary="A backport about zeppelins")
    assert names(search_projects("zeppelins")) == []
    assert names(search_projects("parser")) == ["quickjson"]
    release = corpus("quickjson", "2.0", summary="Rewritten around zeppelins")
    assert names(search_projects("zeppelins")) == ["quickjson"]
    assert names(search_projects("parser")) == []
    with transaction.atomic():
        services.yank_release(release, "broken", None)  # the latest is 1.0 again
    assert names(search_projects("parser")) == ["quickjson"]
    assert names(search_projects("rewritten")) == []


def test_quarantined_projects_are_not_found(corpus, user):
    with transaction.atomic():
        services.set_status(Project.objects.get(name="webthing"), "quarantined", None)
    assert names(search_projects("http")) == []


def test_hostile_query_is_harmless(corpus):
    for query in ["')); DROP TABLE x; --", "& | ! :* ()", "json:*&!", "\x00", "a" * 200]:
        list(search_projects(query))


def test_search_page(client, corpus, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        response = client.get("/search/", {"q": "json"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/project/quickjson/"' in html or 'href="/project/json/"' in html
    assert "The json name itself" in html


def test_search_page_classifier_and_order(client, corpus):
    html = client.get("/search/", {"c": WEB, "o": "date"}).content.decode()
    assert "webthing" in html and "slowxml" in html and "quickjson" not in html


def test_search_page_paginates(client, user):
    for i in range(23):
        ReleaseFactory(project=ProjectFactory(name=f"pager-{i:02d}", owner=user), version="1.0", summary="pager item")
    first = client.get("/search/", {"q": "pager"})
    assert first.context["page"].paginator.count == 23
    assert len(first.context["rows"]) == 20
    second = client.get("/search/", {"q": "pager", "page": 2})
    assert len(second.context["rows"]) == 3
    assert "page=1" in second.content.decode()


def test_search_page_without_query_and_with_no_results(client, corpus):
    assert "Type words" in client.get("/search/").content.decode()
    assert "No projects match" in client.get("/search/", {"q": "zzzznothing"}).content.decode()


def test_unknown_classifier_is_ignored_not_an_error(client, corpus):
    response = client.get("/search/", {"q": "toolkit", "c": "Nope :: Nope", "o": "bogus"})
    assert response.status_code == 200
    assert [row["project"].name for row in response.context["rows"]] == ["slowxml"]


def test_postgresql_uses_a_gin_index_for_the_search_vector(corpus):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("full-text search index exists on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'project_search_gin'")
        (indexdef,) = cursor.fetchone()
        assert "USING gin (search_vector)" in indexdef
    with CaptureQueriesContext(connection) as queries:
        list(search_projects("json"))
    (candidates,) = [q["sql"] for q in queries.captured_queries if "to_tsquery" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN " + candidates)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET enable_seqscan = on")
    assert "project_search_gin" in plan


def test_saves_that_do_not_touch_the_name_do_not_reindex(user, django_assert_num_queries):
    from devtools.publish import publish

    project = publish(user, "steady-name", "1.0", kinds=("wheel",)).project
    with transaction.atomic():
        with django_assert_num_queries(5):  # savepoint, status update, journal insert, serial update, release savepoint
            services.set_status(project, "archived", user)
    assert search_projects("steady")[0] == project


def _vector_writes(queries):
    return [q for q in queries if q["sql"].startswith("UPDATE") and "search_vector" in q["sql"]]


def test_a_batched_change_writes_each_project_vector_once(user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from packages import search

    if connection.vendor != "postgresql":
        pytest.skip("the vector is PostgreSQL-only")
    with transaction.atomic(), CaptureQueriesContext(connection) as ctx, search.batched():
        project = services.create_project("zebra-tools", user)
        services.create_release(project, "1.0", {"summary": "Stripes for everyone"}, user)
        assert names(search_projects("stripes")) == []  # not yet: written when the batch ends
    assert len(_vector_writes(ctx.captured_queries)) == 1
    assert names(search_projects("stripes")) == ["zebra-tools"]
    assert names(search_projects("zebra")) == ["zebra-tools"]


def test_a_batch_with_two_releases_reads_which_is_latest(user):
    from django.db import connection

    from packages import search

    if connection.vendor != "postgresql":
        pytest.skip("the vector is PostgreSQL-only")
    with transaction.atomic(), search.batched():
        project = services.create_project("okapi", user)
        services.create_release(project, "2.0", {"summary": "Current giraffes"}, user)
        services.create_release(project, "1.5", {"summary": "Backported antelopes"}, user)
    assert names(search_projects("giraffes")) == ["okapi"]
    assert names(search_projects("antelopes")) == []


def test_a_batch_that_fails_writes_no_vector(user):
    from django.db import connection

    from packages import search

    if connection.vendor != "postgresql":
        pytest.skip("the vector is PostgreSQL-only")
    project = services.create_project("quagga", user)
    with pytest.raises(RuntimeError), transaction.atomic():
        with search.batched():
            services.create_release(project, "1.0", {"summary": "Extinct horses"}, user)
            raise RuntimeError("the upload failed")
    assert names(search_projects("extinct")) == []
