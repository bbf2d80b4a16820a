"""The admin site: staff log in through allauth (2FA, rate limits), and need 2FA to open any page.

Installed in place of django.contrib.admin's site (accounts/apps.py: StaffAdminConfig), so
`admin.site` everywhere is this site.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.admin import AdminSite, ModelAdmin
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from core.search_bound import BoundedSearchAdminMixin

from .second_factor import redirect_to_second_factor, staff_second_factor_ok


class StaffAdminSite(AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        """Every change list's search takes the one search bound (core/search_bound.py)."""
        admin_class = admin_class or ModelAdmin
        if not issubclass(admin_class, BoundedSearchAdminMixin):
            admin_class = type(admin_class.__name__, (BoundedSearchAdminMixin, admin_class), {})
        super().register(model_or_iterable, admin_class, **options)

    def has_permission(self, request):
        return super().has_permission(request) and staff_second_factor_ok(request)

    def login(self, request, extra_context=None):
        """No login form of its own: allauth's, then back to the admin page asked for."""
        next_url = request.GET.get("next") or reverse("admin:index", current_app=self.name)
        user = request.user
        if not user.is_authenticated:
            return redirect(f"{reverse('account_login')}?{urlencode({'next': next_url})}")
        if not (user.is_active and user.is_staff):
            raise PermissionDenied("This account is not a staff account.")
        if not staff_second_factor_ok(request):
            if user.has_two_factor():
                messages.info(request, "Confirm it is you with your second factor to open the admin.")
            else:
                messages.warning(request, "Staff accounts need two-factor authentication: set it up to open the admin.")
            return redirect_to_second_factor(request, next_url)
        return redirect(next_url)

    def password_change(self, request, extra_context=None):
        """allauth's password change (re-authentication, notice mail, security history), not the admin's."""
        return redirect("account_change_password")
