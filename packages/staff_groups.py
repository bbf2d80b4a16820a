"""The two staff groups and their permissions, ensured by ensure_demo_user and seed_dev_data.

Moderators handle reports, quarantine projects, freeze users and prohibit names; admins can
also edit kill switches, remove things, change limits, transfer ownership and reset 2FA.
Members also need is_staff to reach the admin.
"""

from django.contrib.auth.models import Group, Permission

MODERATORS = "moderators"
ADMINS = "admins"

MODERATOR_PERMISSIONS = [
    "packages.view_project",
    "packages.change_project",
    "packages.view_release",
    "packages.view_file",
    "packages.view_role",
    "packages.view_journalentry",
    "packages.view_projectreport",
    "packages.change_projectreport",
    "packages.view_prohibitedprojectname",
    "packages.add_prohibitedprojectname",
    "packages.view_adminflag",
    "accounts.view_user",
    "accounts.change_user",
    "accounts.view_securityevent",
    "accounts.view_apitoken",
    "account.view_emailaddress",
    # Organizations: moderators see them and decide applications; freezing is an admin's.
    "organizations.view_organization",
    "organizations.view_organizationapplication",
    "organizations.change_organizationapplication",
    "organizations.view_organizationrole",
    "organizations.view_team",
]

# Admins get every permission of these apps (allauth's "account" and "mfa" included, the OIDC
# issuers and trusted publishers, the upstream indexes and their cache, and organizations).
ADMIN_APPS = ["packages", "accounts", "account", "mfa", "oidc", "upstream", "organizations"]


def _permissions(codes):
    perms = []
    for code in codes:
        app_label, codename = code.split(".")
        perms.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
    return perms


def ensure_staff_groups():
    """Create or update the groups (idempotent); returns (moderators, admins)."""
    moderators, _ = Group.objects.get_or_create(name=MODERATORS)
    moderators.permissions.set(_permissions(MODERATOR_PERMISSIONS))
    admins, _ = Group.objects.get_or_create(name=ADMINS)
    admins.permissions.set(Permission.objects.filter(content_type__app_label__in=ADMIN_APPS))
    return moderators, admins
