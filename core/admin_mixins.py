"""Admin building blocks shared by the apps' admin modules."""

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.admin import ModelAdmin as _AdminBase  # the mixins are always mixed into one
else:
    _AdminBase = object


class ViewOnlyAdminMixin:
    """Rows staff can read but not add, edit or delete by hand (changes go through actions)."""

    show_full_result_count = False  # COUNT(*) on big tables makes list pages slow

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class LabelledListEditableMixin(_AdminBase):
    """Fields edited right in a change list have no visible label: name each after its column
    and row, so every form field has one (screen readers, the site crawl test)."""

    def get_changelist_formset(self, request: HttpRequest, **kwargs: Any) -> Any:
        formset: Any = super().get_changelist_formset(request, **kwargs)
        columns = self.list_editable

        class LabelledFormSet(formset):
            def add_fields(self, form: Any, index: int | None) -> None:
                super().add_fields(form, index)
                for name in columns:
                    form.fields[name].widget.attrs["aria-label"] = (
                        f"{name.replace('_', ' ').capitalize()}: {form.instance}"
                    )

        return LabelledFormSet
