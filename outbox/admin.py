from django.contrib import admin

from .models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only view of the outbox backlog; payloads marked secret are not shown."""

    list_display = ("id", "kind", "created", "due", "attempts", "last_error")
    list_filter = ("kind",)
    fields = ("kind", "shown_payload", "secret", "created", "due", "attempts", "last_error")
    readonly_fields = fields

    @admin.display(description="payload")
    def shown_payload(self, obj):
        return "(secret)" if obj.secret else obj.payload

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
