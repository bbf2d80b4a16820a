"""Staff moderation in the Django admin: projects, releases, files and the reports queue.

Nothing here changes data directly: every action calls packages.moderation, which goes
through the services (journal) and writes the admin LogEntry. Journal, prohibited names
and kill switches are in packages/admin_journal.py.
"""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from core.admin_actions import ReasonForm, confirm_and_apply
from core.admin_mixins import ViewOnlyAdminMixin

from . import (
    admin_journal,  # also registers the journal, names and flags admins
    limits,
    moderation,
)
from .admin_create import CreateProjectAdminMixin
from .models import File, Project, ProjectReport, Release, Role

admin.site.site_header = f"{settings.SITE_NAME} administration"
admin.site.site_title = f"{settings.SITE_NAME} admin"
admin.site.index_title = "Moderation and operations"


def _changelist(model, **query):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _size(value):
    from django.template.defaultfilters import filesizeformat

    return "site default" if value is None else filesizeformat(value)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class RoleInline(ReadOnlyInline):
    model = Role
    fields = ["user", "role_name", "created"]
    readonly_fields = fields
    show_change_link = False


class ReleaseInline(ReadOnlyInline):
    model = Release
    fields = ["version", "yanked", "yanked_reason", "created", "uploader"]
    readonly_fields = fields


class TransferForm(ReasonForm):
    new_owner = forms.CharField(help_text="Username of the new Owner.")
    keep_previous_as_maintainers = forms.BooleanField(
        required=False, help_text="Keep the current owners as Maintainers instead of removing them."
    )

    def clean_new_owner(self):
        user = get_user_model().objects.filter(username=self.cleaned_data["new_owner"]).first()
        if user is None:
            raise forms.ValidationError("No user with this username.")
        return user


class ProjectLimitsForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = ["upload_limit", "total_size_limit", "serve_upstream_files"]

    def clean(self):
        data = super().clean()
        errors = limits.staff_value_errors(
            upload_limit=data.get("upload_limit"), total_size_limit=data.get("total_size_limit")
        )
        for field, message in errors.items():
            self.add_error(field, message)
        return data


@admin.register(Project)
class ProjectAdmin(CreateProjectAdminMixin, admin.ModelAdmin):
    form = ProjectLimitsForm
    list_display = ["name", "status", "owner_names", "total_size_display", "created", "last_serial"]
    list_filter = ["status", "is_private", "created"]
    search_fields = ["normalized_name", "name"]
    show_full_result_count = False
    inlines = [RoleInline, ReleaseInline]
    # The first fieldset: read-only here (changes go through the actions).
    _summary_fields = [
        "name",
        "normalized_name",
        "status",
        "status_reason",
        "organization",
        "is_private",
        "created",
        "last_serial",
        "links",
    ]
    fieldsets = [
        (None, {"fields": _summary_fields}),
        (
            "Size limits in force (staff can only raise the site defaults; empty = the default)",
            {"fields": ["file_size_limit_display", "total_size_display", "upload_limit", "total_size_limit"]},
        ),
        (
            "Upstream indexes (off: the name is served alone, README 'Upstream indexes')",
            {"fields": ["serve_upstream_files"]},
        ),
    ]
    readonly_fields = [*_summary_fields, "file_size_limit_display", "total_size_display"]
    actions = ["quarantine", "release_quarantine", "make_private", "make_public", "remove", "transfer"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("roles__user")

    @admin.display(description="Owners")
    def owner_names(self, obj):
        return ", ".join(r.user.username for r in obj.roles.all() if r.role_name == Role.OWNER)

    @admin.display(description="Total size", ordering="total_size")
    def total_size_display(self, obj):
        return f"{_size(obj.total_size)} of {_size(limits.total_size_limit(obj))}"

    @admin.display(description="Largest file")
    def file_size_limit_display(self, obj):
        return _size(limits.file_size_limit(obj))

    @admin.display(description="Links")
    def links(self, obj):
        items = [
            ("Journal", _changelist(admin_journal.JournalEntry, project=obj.pk)),
            ("Reports", _changelist(ProjectReport, project=obj.pk)),
            ("Files", _changelist(File, release__project=obj.pk)),
            ("Project page", f"/project/{obj.normalized_name}/"),
        ]
        if not obj.is_quarantined:  # a quarantined project has no simple page
            items.insert(3, ("Simple page", f"/simple/{obj.normalized_name}/"))
        return format_html_join(" · ", '<a href="{}">{}</a>', ((url, label) for label, url in items))

    def has_add_permission(self, request):
        # Uploads create projects; staff with the permission can create one the upload rules
        # refuse (a look-alike name), with its Owner (admin_create.py).
        return request.user.has_perm("packages.add_project")

    def has_delete_permission(self, request, obj=None):
        return False  # removal needs a reason: the "remove" action

    def has_remove_permission(self, request):
        return request.user.has_perm("packages.delete_project")

    def has_transfer_permission(self, request):
        return request.user.has_perm("packages.change_role")

    def save_model(self, request, obj, form, change):
        if not change:
            return self.create_project(obj, form)
        # Only the limits and the upstream flag are editable; journaled like every other change.
        current = Project.objects.get(pk=obj.pk)
        moderation.set_limits(
            current, request.user, upload_limit=obj.upload_limit, total_size_limit=obj.total_size_limit
        )
        moderation.set_serve_upstream_files(current, request.user, obj.serve_upstream_files)

    def log_change(self, request, obj, message):
        pass  # moderation.set_limits and set_serve_upstream_files wrote LogEntries that say what changed

    @admin.action(description="Quarantine selected projects", permissions=["change"])
    def quarantine(self, request, queryset):
        return confirm_and_apply(
            self,
            request,
            queryset,
            title="Quarantine projects",
            intro="Quarantined projects disappear from the simple index, JSON API and search and "
            "can't receive uploads; their owners and staff still see them.",
            apply=lambda p, data: moderation.quarantine_project(p, request.user, data["reason"]),
        )

    @admin.action(description="Release selected projects from quarantine", permissions=["change"])
    def release_quarantine(self, request, queryset):
        return confirm_and_apply(
            self,
            request,
            queryset,
            title="Release from quarantine",
            apply=lambda p, data: moderation.release_from_quarantine(p, request.user, data["reason"]),
        )

    @admin.action(description="Make selected projects private", permissions=["change"])
    def make_private(self, request, queryset):
        return confirm_and_apply(
            self,
            request,
            queryset,
            title="Make projects private",
            intro="Only projects of a private-capable organization can be private. A private project exists only "
            "for people with a role on it and its organization's members: for everyone else it is a 404.",
            apply=lambda p, data: moderation.set_privacy(p, True, request.user, data["reason"]),
        )

    @admin.action(description="Make selected projects public", permissions=["change"])
    def make_public(self, request, queryset):
        return confirm_and_apply(
            self,
            request,
            queryset,
            title="Make projects public",
            apply=lambda p, data: moderation.set_privacy(p, False, request.user, data["reason"]),
        )

    @admin.action(description="Remove selected projects (with reason)", permissions=["remove"])
    def remove(self, request, queryset):
        return confirm_and_apply(
            self,
            request,
            queryset,
            title="Remove projects",
            intro="Deletes the projects with all releases and files. Their filenames can never be reused.",
            apply=lambda p, data: moderation.remove_project(p, request.user, data["reason"]),
        )

    @admin.action(description="Transfer ownership of selected projects", permissions=["transfer"])
    def transfer(self, request, queryset):
        return confirm_and_apply(
            self,
            request,
            queryset,
            title="Transfer ownership",
            form_class=TransferForm,
            apply=lambda p, data: moderation.transfer_ownership(
                p,
                data["new_owner"],
                request.user,
                data["reason"],
                keep_previous_as_maintainers=data["keep_previous_as_maintainers"],
            ),
        )


class ModerationOnlyAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """Read-only rows whose only change is removal through an action with a reason."""

    def has_remove_permission(self, request):
        return request.user.has_perm(f"packages.delete_{self.model._meta.model_name}")


class FileInline(ReadOnlyInline):
    model = File
    fields = ["filename", "packagetype", "size", "upload_time", "sha256_digest"]
    readonly_fields = fields


@admin.register(Release)
class ReleaseAdmin(ModerationOnlyAdmin):
    list_display = ["project", "version", "yanked", "created", "uploader"]
    list_filter = ["yanked", "is_prerelease"]
    list_select_related = ["project", "uploader"]
    search_fields = ["project__normalized_name", "version"]
    raw_id_fields = ["project", "uploader"]
    exclude = ["classifiers", "description"]
    inlines = [FileInline]
    actions = ["remove"]

    @admin.action(description="Remove selected releases (with reason)", permissions=["remove"])
    def remove(self, request, queryset):
        return confirm_and_apply(
            self,
            request,
            queryset.select_related("project"),
            title="Remove releases",
            apply=lambda r, data: moderation.remove_release(r, request.user, data["reason"]),
        )


@admin.register(File)
class FileAdmin(ModerationOnlyAdmin):
    list_display = ["filename", "release", "packagetype", "size", "upload_time"]
    list_filter = ["packagetype"]
    list_select_related = ["release__project"]
    search_fields = ["filename", "sha256_digest"]
    raw_id_fields = ["release", "uploader"]
    actions = ["remove"]

    def lookup_allowed(self, lookup, value, request=None):
        return lookup == "release__project" or super().lookup_allowed(lookup, value, request)

    @admin.action(description="Remove selected files (with reason)", permissions=["remove"])
    def remove(self, request, queryset):
        return confirm_and_apply(
            self,
            request,
            queryset.select_related("release__project"),
            title="Remove files",
            intro="The filenames stay reserved: the same filename can never be uploaded again.",
            apply=lambda f, data: moderation.remove_file(f, request.user, data["reason"]),
        )


@admin.register(ProjectReport)
class ProjectReportAdmin(admin.ModelAdmin):
    """The reports queue: open reports first; each action closes the report and is journaled."""

    list_display = ["id", "project_link", "kind", "short_summary", "reporter", "created", "status", "handled_by"]
    list_filter = ["status", "kind", "created"]
    search_fields = ["project_name", "reporter__username", "summary"]
    list_select_related = ["project", "reporter", "handled_by"]
    readonly_fields = [
        "project_link",
        "project_name",
        "reporter",
        "kind",
        "summary",
        "created",
        "status",
        "handled_by",
        "handled_at",
    ]
    fields = readonly_fields
    actions = ["quarantine", "remove", "dismiss"]
    ordering = ["-created"]

    def lookup_allowed(self, lookup, value, request=None):
        return lookup == "project" or super().lookup_allowed(lookup, value, request)

    @admin.display(description="Project")
    def project_link(self, obj):
        if obj.project_id is None:
            return f"{obj.project_name} (removed)"
        url = reverse("admin:packages_project_change", args=[obj.project_id])
        return format_html('<a href="{}">{}</a> ({})', url, obj.project_name, obj.project.get_status_display())

    @admin.display(description="Summary")
    def short_summary(self, obj):
        return Truncator(obj.summary).chars(80)

    def has_add_permission(self, request):
        return False  # reports come from the form on project pages

    def has_delete_permission(self, request, obj=None):
        return False

    def has_remove_permission(self, request):
        return request.user.has_perm("packages.delete_project")

    def _handle(self, request, queryset, action, title, intro=""):
        return confirm_and_apply(
            self,
            request,
            queryset.select_related("project"),
            title=title,
            intro=intro,
            apply=lambda report, data: moderation.handle_report(report, action, request.user, data["reason"]),
        )

    @admin.action(description="Quarantine the reported projects", permissions=["change"])
    def quarantine(self, request, queryset):
        return self._handle(
            request,
            queryset,
            "quarantine",
            "Quarantine reported projects",
            "The projects disappear from the public index; their owners still see them.",
        )

    @admin.action(description="Remove the reported projects", permissions=["remove"])
    def remove(self, request, queryset):
        return self._handle(
            request, queryset, "remove", "Remove reported projects", "Deletes the projects with all releases and files."
        )

    @admin.action(description="Dismiss selected reports", permissions=["change"])
    def dismiss(self, request, queryset):
        return self._handle(request, queryset, "dismiss", "Dismiss reports")
