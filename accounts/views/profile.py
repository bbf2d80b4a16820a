from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, render

from packages.managers import public_q
from packages.models import Release, latest_release

# A profile lists this many projects at most (a user may hold thousands of roles).
MAX_PROJECT_CARDS = 200
CARD_FIELDS = ("id", "project_id", "version", "summary", "yanked", "is_prerelease", "created")


def profile(request, username):
    user = get_object_or_404(get_user_model(), username=username, is_active=True)
    roles = list(
        user.roles.select_related("project")
        .filter(public_q("project__", user=request.user))
        .order_by("project__normalized_name")[:MAX_PROJECT_CARDS]
    )
    releases = {}
    for release in Release.objects.filter(project__in=[role.project for role in roles]).only(*CARD_FIELDS):
        releases.setdefault(release.project_id, []).append(release)
    # A project without releases has no page to link to (it would 404): its card has no link.
    cards = [
        {"project": role.project, "role": role.role_name, "latest": latest_release(releases.get(role.project_id, ()))}
        for role in roles
    ]
    cards.sort(key=lambda card: (card["latest"] is not None, card["latest"] and card["latest"].created), reverse=True)
    return render(request, "accounts/profile.html", {"profile_user": user, "cards": cards})
