"""/org/<name>/: an organization's public page (never its private projects to outsiders)."""

from django.shortcuts import get_object_or_404, render

from packages.models import Project, Release, latest_release
from packages.names import normalize_name
from packages.permissions import readable_by_user

from ..models import Organization

LISTED_STATUSES = ("active", "archived", "deprecated")  # quarantined projects have no public page
CARD_FIELDS = ("id", "project_id", "version", "summary", "yanked", "is_prerelease", "created")


def organization_page(request, name):
    organization = get_object_or_404(Organization, normalized_name=normalize_name(name))
    projects = list(
        Project.objects.filter(readable_by_user(request.user), organization=organization, status__in=LISTED_STATUSES)
        .distinct()
        .only("id", "name", "normalized_name", "status", "is_private")
        .order_by("normalized_name")
    )
    releases = {}
    for release in Release.objects.filter(project__in=projects).only(*CARD_FIELDS):
        releases.setdefault(release.project_id, []).append(release)
    cards = [{"project": p, "latest": latest_release(releases.get(p.pk, ()))} for p in projects]
    return render(request, "organizations/page.html", {"organization": organization, "cards": cards})
