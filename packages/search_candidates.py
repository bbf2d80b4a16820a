"""The bounded set of projects a full-text search ranks (PostgreSQL), chosen and ranked in one query.

Ranking every match costs in proportion to the matches: a word in 190,000 of 700,000 projects
took 280 ms to rank and 140 ms more to count (1.7 s for the page on a busy machine). So a search
ranks at most CAP candidates, plus the names that start with the query:

- the names that start with the query's normalized form (the exact name among them), up to
  PREFIX_CAP: what someone typing a name is looking for, whatever else matches;
- every match when there are at most CAP of them (a rare word: the results are exact);
- else CAP of them: for a word common among the newest SAMPLE projects (at least MIN_HITS of
  them match) the newest matches, found by walking back from the newest project (a word in a
  tenth of the projects finds CAP in about 10,000 rows, and the walk stops at WALK_ROWS);
  otherwise the first CAP the full-text index yields. The full-text index (GIN) cannot stop
  early: it reads every match's entry, which for a common word costs more than the walk.

Every candidate matches every word of the query; past CAP matches, the lowest ranked go.
`capped` says more projects match than were ranked (the page says so and suggests more words).
"""

from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery
from django.db import connection

CAP = 1000
PREFIX_CAP = 100
SAMPLE = 1000
MIN_HITS = 100  # a tenth of the sample
WALK_ROWS = 20 * CAP
# The date order without words reads this many of the newest releases (search.py).
RELEASE_ROWS = 10 * CAP


@dataclass(frozen=True)
class Candidates:
    ids: list  # ranked: the exact name first, then ts_rank, then the name
    capped: bool


def _sql(queryset):
    return queryset.query.sql_with_params()


def _successor(prefix):
    """The least string above every string that starts with `prefix` (in byte order)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def ranked(projects, tsquery, config, exact):
    """Candidates among `projects` (a Project queryset: the listed ones, classifier filters
    applied) for the raw `tsquery` in text search configuration `config`, ranked; `exact`: the
    query as a normalized name (names starting with it are candidates whatever else matches)."""
    search = SearchQuery(tsquery, search_type="raw", config=config)
    columns = ("id", "search_vector", "normalized_name")
    newest = projects.order_by("-pk").values(*columns)
    sample_sql, sample_params = _sql(newest[:SAMPLE])
    walk_sql, walk_params = _sql(newest[:WALK_ROWS])
    found_sql, found_params = _sql(projects.filter(search_vector=search).order_by().values(*columns)[: CAP + 1])
    named = projects.filter(
        search_vector=search,
        normalized_name__gte=exact,  # a range the unique index on the name answers
        normalized_name__lt=_successor(exact),
        normalized_name__startswith=exact,
    )
    named_sql, named_params = _sql(named.order_by("normalized_name").values(*columns)[:PREFIX_CAP])
    # The walk's and the sample's match is outside their LIMIT (rows looked at, not matches).
    words = "to_tsquery(%s::regconfig, %s)"
    sql = (
        f"WITH sample AS MATERIALIZED (SELECT count(*) AS hits FROM ({sample_sql}) s WHERE s.search_vector @@ {words}),"
        f" walk AS MATERIALIZED (SELECT w.* FROM ({walk_sql}) w"
        f" WHERE (SELECT hits FROM sample) >= %s AND w.search_vector @@ {words} LIMIT %s),"
        # GIN finds the matches, LIMIT stops the heap reads; run only when the walk did not find enough.
        f" found AS (SELECT f.* FROM ({found_sql}) f WHERE (SELECT count(*) FROM walk) <= %s),"
        " every AS (SELECT *, 1 AS text FROM walk UNION ALL SELECT *, 1 FROM found"
        f" UNION ALL SELECT n.*, 0 FROM ({named_sql}) n)"
        f" SELECT id, text FROM every ORDER BY normalized_name = %s DESC, ts_rank(search_vector, {words}) DESC,"
        " normalized_name"
    )
    params = [*sample_params, config, tsquery, *walk_params, MIN_HITS, config, tsquery, CAP + 1]
    params += [*found_params, CAP, *named_params, exact, config, tsquery]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    named_ids = {pk for pk, text in rows if not text}
    text_ids = {pk for pk, text in rows if text}
    # Past CAP text matches, the lowest ranked of them go (names starting with the query stay).
    keep, ids = len(text_ids - named_ids) - max(0, len(text_ids) - CAP), []
    for pk in dict.fromkeys(pk for pk, _ in rows):
        if pk in named_ids:
            ids.append(pk)
        elif keep > 0:
            ids.append(pk)
            keep -= 1
    return Candidates(ids, capped=len(text_ids) > CAP)
