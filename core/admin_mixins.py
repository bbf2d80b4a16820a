"""Admin building blocks shared by the apps' admin modules."""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin as _AdminBase  # the mixins are always mixed into one
else:
    _AdminBase = object


class ViewOnlyAdminMixin:
    """Rows staff can read but not add, edit or delete by hand (changes go through actions)."""

    show_full_result_count = False  # COUNT(*) on big tables makes list pages slow

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class LabelledListEditableMixin(_AdminBase):
    """Fields edited right in a change list have no visible label: name each after its column
    and row, so every form field has one (screen readers, the site crawl test)."""

    def get_changelist_formset(self, request, **kwargs):
        formset: Any = super().get_changelist_formset(request, **kwargs)
        columns = self.list_editable

        class LabelledFormSet(formset):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                for name in columns:
                    form.fields[name].widget.attrs["aria-label"] = (
                        f"{name.replace('_', ' ').capitalize()}: {form.instance}"
                    )

        return LabelledFormSet
