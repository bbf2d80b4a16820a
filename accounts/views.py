from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, render


def profile(request, username):
    user = get_object_or_404(get_user_model(), username=username, is_active=True)
    projects = user.roles.select_related("project").filter(project__status__in=["active", "archived"])
    return render(request, "accounts/profile.html", {"profile_user": user, "roles": projects})
