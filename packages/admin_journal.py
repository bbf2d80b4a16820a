"""Admin for the journal (read-only), prohibited project names and the kill switches."""

from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from core.admin_mixins import LabelledListEditableMixin, ViewOnlyAdminMixin

from . import flags, moderation
from .models import AdminFlag, JournalEntry, ProhibitedProjectName

# Journal actions are free text; these prefixes group them for the list filter.
ACTION_KINDS = {
    "create": "create",
    "new release": "new release",
    "add file": "add ",
    "remove": "remove",
    "yank / unyank": "yank",
    "status": "project status",
    "roles": "change ",
    "ownership transfer": "transfer ownership",
    "limits": "set ",
    "report dismissed": "dismiss report",
}


class ActionKindFilter(admin.SimpleListFilter):
    title = "action"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [(key, key) for key in ACTION_KINDS]

    def queryset(self, request, queryset):
        prefix = ACTION_KINDS.get(self.value())
        if prefix is None:
            return queryset
        if prefix == "yank":
            return queryset.filter(action__in=["yank release", "unyank release"])
        return queryset.filter(action__startswith=prefix)


@admin.register(JournalEntry)
class JournalEntryAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """The audit log as mirrors see it. Filter by project (?project=<id> or search the name),
    user (?submitted_by=<id> or search the username) and kind of action."""

    list_display = ["id", "submitted_date", "name", "version", "action", "submitted_by"]
    list_filter = [ActionKindFilter, "submitted_date"]
    search_fields = ["=name", "action", "=submitted_by__username"]
    list_select_related = ["submitted_by"]
    show_full_result_count = False
    list_per_page = 100

    def lookup_allowed(self, lookup, value, request=None):
        # project and submitted_by come from the links on project and user pages.
        return lookup in {"project", "submitted_by", "name"} or super().lookup_allowed(lookup, value, request)


class ProhibitNamesForm(forms.Form):
    names = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8, "cols": 60}),
        help_text="One or more names, one per line (commas and spaces separate too; '#' starts a comment).",
    )
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2, "cols": 60}))
    remove_existing = forms.BooleanField(
        required=False, help_text="Also remove existing projects with these names (journaled, cannot be undone)."
    )

    def clean_names(self):
        names = moderation.parse_names(self.cleaned_data["names"])
        if not names:
            raise forms.ValidationError("Enter at least one name.")
        return names


class ProhibitedNameForm(forms.ModelForm):
    remove_existing = forms.BooleanField(
        required=False, help_text="Also remove an existing project with this name (journaled)."
    )

    class Meta:
        model = ProhibitedProjectName
        fields = ["name", "comment"]


@admin.register(ProhibitedProjectName)
class ProhibitedProjectNameAdmin(admin.ModelAdmin):
    form = ProhibitedNameForm
    list_display = ["name", "comment", "created", "prohibited_by"]
    search_fields = ["name", "comment"]
    list_select_related = ["prohibited_by"]
    readonly_fields = ["created", "prohibited_by"]
    change_list_template = "admin/packages/prohibitedprojectname/change_list.html"

    def get_urls(self):
        bulk = path("bulk/", self.admin_site.admin_view(self.bulk_view), name="packages_prohibitedprojectname_bulk")
        return [bulk, *super().get_urls()]

    def get_readonly_fields(self, request, obj=None):
        return ["name", *self.readonly_fields] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        try:
            moderation.prohibit_names(
                [obj.name], request.user, obj.comment, remove_existing=form.cleaned_data.get("remove_existing", False)
            )
        except moderation.ModerationError as exc:
            self.message_user(request, str(exc), messages.ERROR)
        saved = ProhibitedProjectName.objects.filter(name=obj.name).first()
        if saved is not None:
            obj.pk = saved.pk

    def log_addition(self, request, obj, message):
        pass  # moderation.prohibit_names wrote the LogEntry

    def bulk_view(self, request):
        if not self.has_add_permission(request):
            return redirect("admin:packages_prohibitedprojectname_changelist")
        form = ProhibitNamesForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            remove = form.cleaned_data["remove_existing"] and request.user.has_perm("packages.delete_project")
            try:
                added, existing, removed = moderation.prohibit_names(
                    form.cleaned_data["names"], request.user, form.cleaned_data["comment"], remove_existing=remove
                )
            except moderation.ModerationError as exc:
                form.add_error("names", str(exc))
            else:
                self.message_user(
                    request,
                    f"Prohibited {len(added)} names; {len(existing)} were already prohibited; "
                    f"removed {len(removed)} existing projects{': ' + ', '.join(removed) if removed else ''}.",
                    messages.SUCCESS,
                )
                return redirect("admin:packages_prohibitedprojectname_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Prohibit project names",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/packages/prohibitedprojectname/bulk.html", context)


@admin.register(AdminFlag)
class AdminFlagAdmin(LabelledListEditableMixin, admin.ModelAdmin):
    """Kill switches: turn them on and off right in the list."""

    list_display = ["id", "description", "enabled", "notify"]
    list_editable = ["enabled", "notify"]
    readonly_fields = ["id", "description"]

    def has_add_permission(self, request):
        return False  # the known flags are created by ensure_demo_user / seed_dev_data

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        flags.ensure_known_flags()
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        flags.forget_cached_flags()
