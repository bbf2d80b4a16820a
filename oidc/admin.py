"""Staff manage issuers here (or with `manage.py oidc_issuer`); publishers are read-only here
(Owners manage them on their project's Publishing page, removal goes through the service)."""

from django.contrib import admin

from core.admin_mixins import LabelledListEditableMixin, ViewOnlyAdminMixin

from . import services
from .models import OIDCIssuer, TrustedPublisher


@admin.register(OIDCIssuer)
class OIDCIssuerAdmin(LabelledListEditableMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "url", "enabled", "created")
    list_filter = ("kind", "enabled")
    list_editable = ("enabled",)
    search_fields = ("name", "url")
    actions = ["disable", "enable"]

    def has_delete_permission(self, request, obj=None):
        return False  # publishers refer to it: disable instead

    @admin.action(description="Disable the selected issuers")
    def disable(self, request, queryset):
        queryset.update(enabled=False)

    @admin.action(description="Enable the selected issuers")
    def enable(self, request, queryset):
        queryset.update(enabled=True)


@admin.register(TrustedPublisher)
class TrustedPublisherAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("label", "project", "pending_name", "issuer", "added_by", "created")
    list_filter = ("issuer",)
    search_fields = ("project__name", "pending_name", "lookup")
    list_select_related = ("issuer", "project", "added_by")
    actions = ["remove"]

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def delete_model(self, request, obj):
        services.remove_publisher(obj, request.user)

    @admin.action(description="Remove the selected publishers (journaled, Owners mailed)")
    def remove(self, request, queryset):
        for publisher in queryset.select_related("issuer", "project"):
            services.remove_publisher(publisher, request.user)
