"""Who may change which account's identity in the admin.

Whoever controls a staff account's username, e-mail addresses, password, second factors or
flags controls the index, so only superusers change those of staff accounts. Other staff (the
moderators and admins groups) see them; on a staff account a moderator's only tools are the
freeze and unfreeze actions, with a reason. The admins for allauth's own models (addresses,
authenticators) follow the same rule and never show secrets (TOTP secrets, recovery codes;
confirmation keys are HMACs, never stored).
"""

from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from allauth.mfa.admin import AuthenticatorAdmin
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q

User = get_user_model()


def is_staff_account(user):
    return user.is_staff or user.is_superuser


def staff_accounts(users):
    """The staff accounts among a queryset of users."""
    return users.filter(Q(is_staff=True) | Q(is_superuser=True))


def may_change_identity(request, user):
    """May the signed-in staff member change this account's identity (names, addresses, password, flags)?"""
    return request.user.is_superuser or not is_staff_account(user)


class _StaffTargetsForSuperusersOnly:
    """For admins whose rows belong to a user (`user` field): change and delete only if the
    signed-in staff member may change that user's identity; adding only for superusers."""

    def has_add_permission(self, request, *args):
        return request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_change_identity(request, self.owner(obj)))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_change_identity(request, self.owner(obj)))

    def owner(self, obj):
        return obj.user


admin.site.unregister(EmailAddress)
admin.site.unregister(Authenticator)


@admin.register(EmailAddress)
class GuardedEmailAddressAdmin(_StaffTargetsForSuperusersOnly, EmailAddressAdmin):
    def make_verified(self, request, queryset):
        if not request.user.is_superuser:
            queryset = queryset.exclude(user__in=staff_accounts(User.objects.all()))
        return super().make_verified(request, queryset)

    make_verified.short_description = EmailAddressAdmin.make_verified.short_description


@admin.register(Authenticator)
class GuardedAuthenticatorAdmin(_StaffTargetsForSuperusersOnly, AuthenticatorAdmin):
    exclude = ("data",)  # TOTP secrets and recovery codes
