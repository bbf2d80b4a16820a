from django.contrib import admin
from django.urls import path

from core.admin_mixins import ViewOnlyAdminMixin

from . import cache_admin
from .models import UpstreamFile, UpstreamIndex, UpstreamProject


@admin.register(UpstreamIndex)
class UpstreamIndexAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "priority", "enabled")
    list_editable = ("priority", "enabled")
    change_list_template = "admin/upstream/upstreamindex/change_list.html"

    def get_urls(self):
        summary = path("cache/", self.admin_site.admin_view(self.cache_summary_view), name="upstream_cache_summary")
        return [summary, *super().get_urls()]

    def cache_summary_view(self, request):
        return cache_admin.summary_view(self, request)


@admin.register(UpstreamProject)
class UpstreamProjectAdmin(admin.ModelAdmin):
    list_display = (
        "normalized_name",
        "upstream",
        "is_miss",
        "fetched_at",
        "cached_files",
        "cached_bytes",
        "released_for_local",
    )
    list_filter = ("upstream", "is_miss", "released_for_local")
    search_fields = ("normalized_name",)
    readonly_fields = ("normalized_name", "upstream", "is_miss", "files", "versions", "fetched_at")
    actions = [cache_admin.refresh_projects, cache_admin.purge_projects]

    def get_queryset(self, request):
        return cache_admin.with_cached_totals(super().get_queryset(request))

    @admin.display(description="cached files", ordering="cached_files")
    def cached_files(self, obj):
        return obj.cached_files

    @admin.display(description="cached bytes", ordering="cached_bytes")
    def cached_bytes(self, obj):
        return obj.cached_bytes


@admin.register(UpstreamFile)
class UpstreamFileAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """What is in storage for the proxy: read here, removed with the project actions or retention."""

    list_display = ("filename", "normalized_name", "upstream", "size", "stored_at", "last_downloaded_at")
    list_filter = ("upstream", "is_metadata")
    search_fields = ("normalized_name", "filename")
    date_hierarchy = "last_downloaded_at"
