"""Admin building blocks shared by the apps' admin modules."""


class ViewOnlyAdminMixin:
    """Rows staff can read but not add, edit or delete by hand (changes go through actions)."""

    show_full_result_count = False  # COUNT(*) on big tables makes list pages slow

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
