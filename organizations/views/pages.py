"""What every page of the management area shares: the tabs, the role, what the role may do."""

from django.shortcuts import render

from ..permissions import MAY, may


def render_manage(request, organization, role, tab, context, *, status=200):
    base = {
        "organization": organization,
        "role": role,
        "tab": tab,
        "can": {action: may(role, action) for action in MAY},
    }
    return render(request, f"organizations/manage/{tab}.html", {**base, **context}, status=status)
