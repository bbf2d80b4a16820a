"""/search/?q=&c=&o=&page=: full-text search with classifier filters, paginated; /classifiers/."""

import difflib

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import render
from django.views.decorators.http import require_safe

from core.search_bound import MAX_QUERY_LENGTH

from .. import classifiers as trove
from .. import search_candidates
from ..forms import SearchForm
from ..models import Classifier, Project, Release, latest_release
from ..search import search as run_search

PER_PAGE = 20
SUGGESTIONS = 5


def _suggestions(query, user):
    """Names close to the words of a search that found nothing: names holding a word, else names
    sharing its first letters, the closest first. Bounded: three words, 50 candidates each."""
    suggestions = []
    for word in [word.lower() for word in query.split() if len(word) >= 3][:3]:
        public = Project.objects.listed_for(user)
        candidates = list(public.filter(normalized_name__contains=word).values_list("name", "normalized_name")[:50])
        if not candidates:
            candidates = list(
                public.filter(normalized_name__startswith=word[:4]).values_list("name", "normalized_name")[:50]
            )
        candidates.sort(key=lambda pair: -difflib.SequenceMatcher(None, word, pair[1]).ratio())
        suggestions.extend(candidates[:SUGGESTIONS])
    return list(dict.fromkeys(suggestions))[:SUGGESTIONS]


def search(request):
    classifier_names = list(Classifier.objects.filter(releases__isnull=False).distinct().values_list("name", flat=True))
    form = SearchForm(request.GET or None, classifier_names=classifier_names)
    query, classifiers, order = "", [], "relevance"
    if form.is_bound:
        form.is_valid()  # an unknown classifier or order is dropped; the rest of the search still applies
        query = form.cleaned_data.get("q", "")
        classifiers = form.cleaned_data.get("c", [])
        order = form.cleaned_data.get("o") or "relevance"
    too_large = form.is_bound and form.non_field_errors()
    searched = form.is_bound and not too_large  # any query string, even an empty ?q=, lists projects
    found = run_search(query, classifiers=classifiers, order=order, user=request.user) if searched else None
    page = None
    rows = []
    if found is not None:
        page = Paginator(found.projects, PER_PAGE).get_page(request.GET.get("page"))
        releases = Release.objects.only("id", "project_id", "version", "summary", "yanked", "is_prerelease", "created")
        projects = Project.objects.filter(pk__in=[p.pk for p in page.object_list]).prefetch_related(
            Prefetch("releases", queryset=releases)
        )
        by_id = {p.pk: p for p in projects}
        for project in page.object_list:
            rows.append({"project": project, "latest": latest_release(by_id[project.pk].releases.all())})
    query_string = request.GET.copy()
    query_string.pop("page", None)
    context = {
        "form": form,
        "errors": too_large,
        "query": query[:MAX_QUERY_LENGTH],
        "selected": classifiers,
        "order": order,
        "page": page,
        "rows": rows,
        "searched": searched,
        "classifier_groups": trove.grouped(classifier_names),
        "query_string": query_string.urlencode(),
        "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1) if page else [],
        "suggestions": _suggestions(query, request.user) if searched and query and not rows else [],
        "capped": found is not None and found.capped,
        "cap": search_candidates.CAP,
    }
    return render(request, "packages/search.html", context, status=400 if too_large else 200)


@require_safe
def classifier_list(request):
    """Every classifier, grouped, each linking to the projects that use it (upload errors link here)."""
    return render(request, "packages/classifiers.html", {"classifier_groups": trove.grouped(trove.all_current())})
