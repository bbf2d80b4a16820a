from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    default = True
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from . import receivers  # noqa: F401  (connects the security-history signal handlers)


class StaffAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the site that logs staff in through allauth (accounts/admin_site.py)."""

    default = False
    default_site = "accounts.admin_site.StaffAdminSite"
