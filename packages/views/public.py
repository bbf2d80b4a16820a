from django.contrib.auth import get_user_model
from django.shortcuts import render

from ..models import File, Project, Release

PUBLIC_STATUSES = ["active", "archived", "deprecated"]


def home(request):
    stats = {
        "projects": Project.objects.public().count(),
        "releases": Release.objects.public().count(),
        "files": File.objects.filter(release__project__status__in=PUBLIC_STATUSES).count(),
        "users": get_user_model().objects.filter(is_active=True).count(),
    }
    recent = Release.objects.public().select_related("project").order_by("-created")[:10]
    newest = Project.objects.public().filter(releases__isnull=False).distinct().order_by("-created")[:5]
    return render(request, "packages/home.html", {"stats": stats, "recent": recent, "newest": newest})
