"""The only code that changes organizations, their members, teams and projects' membership.

Each function runs in its own transaction (or joins the caller's) and records the change in
the organization's history (OrganizationEvent) and, when it touches a project, in that
project's journal. Permission checks are the views' (organizations/permissions.py for the
organization, packages/permissions.py for a project); these functions keep the invariants
(the last Owner stays, team members are members, a team's projects are the organization's).
"""

from . import applications, members, moderation, profile, projects, teams
from .errors import OrganizationError
from .names import check_name

__all__ = ["OrganizationError", "applications", "check_name", "members", "moderation", "profile", "projects", "teams"]
