from django.conf import settings
from django.contrib.auth import get_user_model
from django.shortcuts import render

from ..managers import public_q
from ..models import File, Project, Release

NEW_RELEASES = 10
UPDATED_PROJECTS = 8


def home(request):
    stats = {
        "projects": Project.objects.public().count(),
        "releases": Release.objects.public().count(),
        "files": File.objects.filter(public_q("release__project__")).count(),
        "users": get_user_model().objects.filter(is_active=True).count(),
    }
    recent = list(Release.objects.public().select_related("project").order_by("-created")[: NEW_RELEASES * 5])
    # Recently updated projects: each project once, with its newest release.
    updated = list({release.project_id: release for release in reversed(recent)}.values())
    updated.sort(key=lambda release: release.created, reverse=True)
    context = {
        "stats": stats,
        "recent": recent[:NEW_RELEASES],
        "updated": updated[:UPDATED_PROJECTS],
        "index_url": f"{settings.SITE_URL.rstrip('/')}/simple/",
        "upload_url": f"{settings.SITE_URL.rstrip('/')}/legacy/",
    }
    return render(request, "packages/home.html", context)
