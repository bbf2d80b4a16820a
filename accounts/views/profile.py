from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404, render

from packages.models import Release


def profile(request, username):
    user = get_object_or_404(get_user_model(), username=username, is_active=True)
    # A project without releases has no page to link to (it would 404).
    roles = (
        user.roles.select_related("project")
        .filter(project__status__in=["active", "archived"])
        .annotate(has_releases=Exists(Release.objects.filter(project=OuterRef("project"))))
    )
    return render(request, "accounts/profile.html", {"profile_user": user, "roles": roles})
