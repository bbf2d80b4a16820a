"""Project search shared by the web UI and XML-RPC `search`.

Foundation version: case-insensitive match on name, summary and keywords of the latest
releases. The project-pages work replaces the ranking with PostgreSQL full-text search.
"""
from django.db.models import Q

from .models import Project


def search_projects(query="", classifiers=(), order="relevance"):
    """Public projects matching `query` (all words) and every classifier in `classifiers`."""
    projects = Project.objects.public()
    for word in (query or "").split():
        projects = projects.filter(
            Q(normalized_name__icontains=word) | Q(releases__summary__icontains=word) | Q(releases__keywords__icontains=word)
        )
    for classifier in classifiers:
        projects = projects.filter(releases__classifiers__name=classifier)
    projects = projects.distinct()
    if order == "date":
        return projects.order_by("-created")
    return projects.order_by("normalized_name")
