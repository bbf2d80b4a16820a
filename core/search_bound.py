"""The one bound on a search query, for every search entry point: the web search, XML-RPC
`search` and `browse`, and the admin's change-list searches (BoundedSearchAdminMixin).

The work a query costs grows with its terms (a LIKE per word on SQLite and in the admin, a
tsquery operand per word on PostgreSQL, a join per classifier), so a query over these limits
is refused with a clear message before any SQL is built. Unbounded, an 8 KiB query took 99 s
on SQLite and 1 MiB overflowed PostgreSQL's parser stack ("stack depth limit exceeded").
"""

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin as _AdminBase  # always mixed into one
else:
    _AdminBase = object

MAX_QUERY_LENGTH = 200
MAX_QUERY_TERMS = 10
MAX_CLASSIFIERS = 10
_WORD = re.compile(r"[\w.-]+", re.UNICODE)


class QueryTooLarge(ValueError):
    """A search over the bound; the message is fit to show to the person who searched."""


def tsquery_terms(query: str | None) -> list[str]:
    """The word-character runs of a query: what becomes one tsquery operand each."""
    return [part for word in _WORD.findall(query or "") for part in re.split(r"[^\w]+", word) if part]


def check_query(query: str | None = "", classifiers: Sequence[str] = ()) -> str:
    """The shared bound: returns the stripped query, or raises QueryTooLarge."""
    query = (query or "").strip()
    if len(query) > MAX_QUERY_LENGTH:
        raise QueryTooLarge(f"Search queries are limited to {MAX_QUERY_LENGTH} characters.")
    if max(len(query.split()), len(tsquery_terms(query))) > MAX_QUERY_TERMS:
        raise QueryTooLarge(f"Search queries are limited to {MAX_QUERY_TERMS} words.")
    if len(classifiers) > MAX_CLASSIFIERS:
        raise QueryTooLarge(f"A search can filter on at most {MAX_CLASSIFIERS} classifiers.")
    return query


class BoundedSearchAdminMixin(_AdminBase):
    """An admin change list whose search is over the bound shows the message and no rows."""

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str) -> tuple[QuerySet, bool]:
        try:
            check_query(search_term)
        except QueryTooLarge as exc:
            from django.contrib import messages

            messages.error(request, str(exc))
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)
