from django.contrib import admin

from .models import UpstreamIndex, UpstreamProject


@admin.register(UpstreamIndex)
class UpstreamIndexAdmin(admin.ModelAdmin):
    list_display = ("name", "url", "priority", "enabled")
    list_editable = ("priority", "enabled")


@admin.register(UpstreamProject)
class UpstreamProjectAdmin(admin.ModelAdmin):
    list_display = ("normalized_name", "upstream", "is_miss", "fetched_at", "released_for_local")
    list_filter = ("upstream", "is_miss", "released_for_local")
    search_fields = ("normalized_name",)
    readonly_fields = ("normalized_name", "upstream", "is_miss", "files", "versions", "fetched_at")
