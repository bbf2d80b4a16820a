"""Issue 14: every search entry point applies one bound on the query (length, words,
classifiers) before any SQL is built, so a hostile query costs bounded work by construction."""

import xmlrpc.client

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.search_bound import MAX_CLASSIFIERS, MAX_QUERY_LENGTH, MAX_QUERY_TERMS, QueryTooLarge
from packages.search import search_projects
from packages.tests.factories import ProjectFactory, ReleaseFactory

pytestmark = pytest.mark.django_db

HUGE = "a " * 4096  # 8 KiB, 4096 words: 99 s on SQLite before the bound
CLASSIFIER = "Topic :: Utilities"


@pytest.fixture
def corpus(user):
    ReleaseFactory(
        project=ProjectFactory(name="needle", owner=user),
        version="1.0",
        summary="a haystack tool",
        classifiers=[CLASSIFIER],
    )


def search_terms_in(sql_list):
    """How many per-word conditions the executed SQL carries (LIKE on SQLite, tsquery operands on PostgreSQL)."""
    return sum(sql.upper().count(" LIKE ") + sql.count(":*") for sql in sql_list)


@pytest.mark.parametrize(
    "query",
    [
        HUGE,
        "x" * (MAX_QUERY_LENGTH + 1),
        " ".join(["w"] * (MAX_QUERY_TERMS + 1)),
        ".".join(["w"] * (MAX_QUERY_TERMS + 1)),
    ],
)
def test_a_query_over_the_bound_is_refused_before_any_sql(corpus, query):
    with CaptureQueriesContext(connection) as queries, pytest.raises(QueryTooLarge):
        list(search_projects(query))
    assert len(queries) == 0


def test_too_many_classifiers_are_refused(corpus):
    with pytest.raises(QueryTooLarge):
        search_projects("", classifiers=[CLASSIFIER] * (MAX_CLASSIFIERS + 1))


def executed_terms(query):
    with CaptureQueriesContext(connection) as queries:
        list(search_projects(query))
    return search_terms_in([q["sql"] for q in queries.captured_queries])


def test_a_query_at_the_bound_runs_and_costs_at_most_the_bound_times_one_word(corpus):
    one = executed_terms("a")
    assert one >= 1
    assert executed_terms(" ".join(["a"] * MAX_QUERY_TERMS)) <= MAX_QUERY_TERMS * one
    assert names(search_projects("haystack")) == ["needle"]


def names(queryset):
    return [p.name for p in queryset]


def test_web_search_refuses_a_huge_query_with_a_clear_400(client, corpus):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/", {"q": HUGE})
    assert response.status_code == 400
    assert f"limited to {MAX_QUERY_LENGTH} characters" in response.content.decode()
    assert search_terms_in([q["sql"] for q in queries.captured_queries]) == 0
    response = client.get("/search/", {"q": " ".join(["w"] * (MAX_QUERY_TERMS + 1))})
    assert response.status_code == 400 and f"limited to {MAX_QUERY_TERMS} words" in response.content.decode()
    response = client.get("/search/", {"c": [CLASSIFIER] * (MAX_CLASSIFIERS + 1)})
    assert response.status_code == 400


def call(client, method, *params):
    response = client.post("/pypi", data=xmlrpc.client.dumps(params, method), content_type="text/xml")
    assert response.status_code == 200
    return xmlrpc.client.loads(response.content)[0][0]


@pytest.mark.parametrize(
    "spec,operator",
    [
        ({"summary": HUGE}, "and"),
        ({"name": ["w"] * (MAX_QUERY_TERMS + 1)}, "or"),  # 'or' runs a search per term: the bound counts them all
        ({"name": "w " * 6, "summary": "w " * 6}, "and"),
    ],
)
def test_xmlrpc_search_applies_the_same_bound(client, corpus, spec, operator):
    with CaptureQueriesContext(connection) as queries, pytest.raises(xmlrpc.client.Fault) as info:
        call(client, "search", spec, operator)
    assert info.value.faultCode == -32602 and "limited to" in info.value.faultString
    assert search_terms_in([q["sql"] for q in queries.captured_queries]) == 0
    assert call(client, "search", {"summary": "haystack"})[0]["name"] == "needle"


def test_xmlrpc_browse_applies_the_classifier_bound(client, corpus):
    with pytest.raises(xmlrpc.client.Fault) as info:
        call(client, "browse", [CLASSIFIER] * (MAX_CLASSIFIERS + 1))
    assert "at most" in info.value.faultString
    assert call(client, "browse", [CLASSIFIER]) == [["needle", "1.0"]]


@pytest.mark.parametrize(
    "changelist",
    ["/admin/packages/project/", "/admin/packages/release/", "/admin/accounts/user/", "/admin/packages/journalentry/"],
)
def test_admin_searches_take_the_same_bound(client, corpus, changelist):
    from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
    from devtools.testing.staff import staff_login

    staff_login(client, UserFactory(username="root", is_staff=True, is_superuser=True), DEFAULT_PASSWORD)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(changelist, {"q": HUGE})
    assert response.status_code == 200
    assert f"limited to {MAX_QUERY_LENGTH} characters" in response.content.decode()
    assert search_terms_in([q["sql"] for q in queries.captured_queries]) == 0
    assert client.get(changelist, {"q": "needle"}).status_code == 200
