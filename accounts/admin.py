"""Users in the admin: search, freeze/unfreeze, 2FA reset, and everything staff need to judge an account."""

from allauth.account.models import EmailAddress
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from core.admin_actions import confirm_and_apply
from core.admin_mixins import ViewOnlyAdminMixin
from packages import services

from . import moderation
from .admin_identity import may_change_identity, staff_accounts
from .models import ApiToken, SecurityEvent, User


class EmailAddressInline(admin.TabularInline):
    model = EmailAddress
    extra = 0
    fields = ["email", "primary", "verified"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "name", "is_staff", "is_active", "is_frozen", "date_joined", "last_login"]
    list_filter = ["is_frozen", "is_staff", "is_superuser", "is_active", "groups"]
    search_fields = ["username", "email", "name", "emailaddress__email"]
    show_full_result_count = False
    inlines = [EmailAddressInline]
    readonly_fields = [
        "is_frozen",
        "frozen_reason",
        "frozen_at",
        "projects",
        "two_factor",
        "api_tokens",
        "security_history",
        "journal",
        "last_login",
        "date_joined",
    ]
    fieldsets = [
        *DjangoUserAdmin.fieldsets,
        ("Moderation", {"fields": ["is_frozen", "frozen_reason", "frozen_at", "two_factor"]}),
        ("Activity", {"fields": ["projects", "api_tokens", "security_history", "journal"]}),
    ]
    actions = ["freeze", "unfreeze", "reset_two_factor"]

    # What only superusers may change: who is staff, with which rights, and whether the account
    # is active (other staff freeze and unfreeze, with a reason). Of a staff account, only
    # superusers change anything at all (accounts/admin_identity.py).
    PRIVILEGE_FIELDS = ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]

    def get_readonly_fields(self, request, obj=None):
        # The e-mail is the verified primary allauth address (accounts/receivers.py): never typed here.
        fields = [*super().get_readonly_fields(request, obj), "email"]
        if not request.user.is_superuser:
            fields += self.PRIVILEGE_FIELDS
        return fields

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_change_identity(request, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_change_identity(request, obj))

    def save_model(self, request, obj, form, change):
        renamed = change and "username" in form.changed_data
        old_username = User.objects.get(pk=obj.pk).username if renamed else None
        super().save_model(request, obj, form, change)
        if renamed:
            services.record_username_change(obj, old_username, request.user)

    def user_change_password(self, request, id, form_url=""):
        # Moderators may freeze accounts but never take one over by setting its password.
        if not request.user.is_superuser:
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)

    @admin.display(description="Projects")
    def projects(self, obj):
        roles = obj.roles.select_related("project")
        return (
            format_html_join(
                ", ",
                '<a href="{}">{}</a> ({})',
                (
                    (reverse("admin:packages_project_change", args=[r.project_id]), r.project.name, r.role_name)
                    for r in roles
                ),
            )
            or "none"
        )

    @admin.display(description="Two-factor")
    def two_factor(self, obj):
        from allauth.mfa.models import Authenticator

        kinds = sorted(Authenticator.objects.filter(user=obj).values_list("type", flat=True))
        return ", ".join(kinds) or "none"

    @admin.display(description="API tokens")
    def api_tokens(self, obj):
        rows = ApiToken.objects.filter(user=obj).select_related("project")[:20]
        return (
            format_html_join(
                mark_safe("<br>"),
                "{} — {} — {}",
                ((t.name, t.scope_label, "active" if t.is_active else "revoked/expired") for t in rows),
            )
            or "none"
        )

    @admin.display(description="Security history (latest 20)")
    def security_history(self, obj):
        events = SecurityEvent.objects.filter(user=obj)[:20]
        lines = format_html_join(
            mark_safe("<br>"),
            "{:%Y-%m-%d %H:%M} {} {} {}",
            ((e.time, e.get_tag_display(), e.ip_address or "", e.details.get("reason", "")) for e in events),
        )
        url = reverse("admin:accounts_securityevent_changelist") + f"?user={obj.pk}"
        return format_html('{}<br><a href="{}">All events</a>', lines or "none", url)

    @admin.display(description="Journal")
    def journal(self, obj):
        url = reverse("admin:packages_journalentry_changelist") + f"?submitted_by={obj.pk}"
        return format_html('<a href="{}">Journal entries submitted by {}</a>', url, obj.username)

    def has_reset_two_factor_permission(self, request):
        # Deleting someone's 2FA is an identity decision: admins only (allauth's mfa permission).
        return request.user.has_perm("mfa.delete_authenticator")

    @admin.action(description="Freeze selected users (revokes sessions and tokens)", permissions=["change"])
    def freeze(self, request, queryset):
        return confirm_and_apply(
            self,
            request,
            queryset,
            title="Freeze users",
            intro="Frozen users can't log in or upload; their sessions and API tokens are revoked now.",
            apply=lambda u, data: moderation.freeze_user(u, request.user, data["reason"], request),
        )

    @admin.action(description="Unfreeze selected users", permissions=["change"])
    def unfreeze(self, request, queryset):
        return confirm_and_apply(
            self,
            request,
            queryset,
            title="Unfreeze users",
            apply=lambda u, data: moderation.unfreeze_user(u, request.user, data["reason"], request),
        )

    @admin.action(description="Reset two-factor authentication", permissions=["reset_two_factor"])
    def reset_two_factor(self, request, queryset):
        if not request.user.is_superuser and staff_accounts(queryset).exists():
            self.message_user(
                request, "Only superusers reset the two-factor authentication of staff accounts.", messages.ERROR
            )
            return None
        return confirm_and_apply(
            self,
            request,
            queryset,
            title="Reset two-factor authentication",
            intro="Only after checking the person's identity. Deletes every TOTP app, security key and "
            "recovery code of the account.",
            apply=lambda u, data: moderation.reset_two_factor(u, request.user, data["reason"], request),
        )


class ReadOnlyAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    pass


@admin.register(SecurityEvent)
class SecurityEventAdmin(ReadOnlyAdmin):
    list_display = ["time", "user", "tag", "ip_address", "details"]
    list_filter = ["tag", "time"]
    search_fields = ["=user__username", "ip_address"]
    list_select_related = ["user"]

    def lookup_allowed(self, lookup, value, request=None):
        return lookup == "user" or super().lookup_allowed(lookup, value, request)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "user", "project", "created", "last_used", "expires", "revoked"]
    list_filter = ["kind", "revoked", "created"]
    search_fields = ["=user__username", "name", "key_id"]
    list_select_related = ["user", "project"]
    exclude = ["secret_hash"]
