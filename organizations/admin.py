"""Staff's organization pages in the admin: organizations (create, freeze, unfreeze, allow
private projects), the applications queue (approve, decline), members and teams. Every change
goes through organizations/services (the organization's history and the admin's LogEntry)."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Case, IntegerField, Value, When

from core.admin_actions import ReasonForm, confirm_and_apply
from core.admin_mixins import ViewOnlyAdminMixin

from . import services
from .models import (
    Organization,
    OrganizationApplication,
    OrganizationEvent,
    OrganizationKind,
    OrganizationRole,
    Team,
    TeamMember,
    TeamProjectRole,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MemberInline(ReadOnlyInline):
    model = OrganizationRole
    fields = readonly_fields = ["user", "role_name", "created"]


class TeamInline(ReadOnlyInline):
    model = Team
    fields = readonly_fields = ["name", "created"]
    show_change_link = True


class EventInline(ReadOnlyInline):
    model = OrganizationEvent
    fields = readonly_fields = ["time", "submitted_by", "action"]
    max_num = 50


class OrganizationCreateForm(forms.ModelForm):
    owner = forms.CharField(help_text="Username of the organization's first Owner.")
    url = forms.URLField(required=False, max_length=400, assume_scheme="https", label="URL")

    class Meta:
        model = Organization
        fields = ["name", "display_name", "url", "description", "kind", "private_capable"]

    def clean_owner(self):
        user = get_user_model().objects.filter(username=self.cleaned_data["owner"].strip()).first()
        if user is None:
            raise forms.ValidationError("No user with this username.")
        return user

    def clean_name(self):
        try:
            return services.check_name(self.cleaned_data["name"])[0]
        except services.OrganizationError as exc:
            raise forms.ValidationError(str(exc)) from None

    def validate_unique(self):
        pass  # the service's name rule covers the normalized name


class NoFieldsForm(forms.Form):
    pass


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "display_name", "kind", "is_frozen", "private_capable", "created"]
    list_filter = ["kind", "is_frozen", "private_capable"]
    search_fields = ["normalized_name", "display_name"]
    inlines = [MemberInline, TeamInline, EventInline]
    readonly_fields = ["name", "normalized_name", "kind", "created", "is_frozen", "frozen_reason", "private_capable"]
    fields = ["name", "normalized_name", "display_name", "url", "description", "kind", "created", *readonly_fields[4:]]
    actions = ["freeze", "unfreeze", "allow_private"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = OrganizationCreateForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        return [*OrganizationCreateForm.Meta.fields, "owner"] if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def has_delete_permission(self, request, obj=None):
        return False  # its projects must move out first; staff freeze instead

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        with transaction.atomic():
            if change:
                current = Organization.objects.get(pk=obj.pk)
                fields = {name: data[name] for name in services.profile.EDITABLE}
                services.profile.update_settings(current, request.user, **fields)
                return
            created = services.applications.create_organization(
                data["name"],
                data["owner"],
                request.user,
                display_name=data["display_name"],
                url=data["url"],
                description=data["description"],
                kind=data["kind"] or OrganizationKind.COMMUNITY,
                private_capable=data["private_capable"],
            )
        obj.pk = created.pk
        obj._state.adding = False
        obj.refresh_from_db()

    @admin.action(description="Freeze selected organizations (no uploads to their projects)", permissions=["change"])
    def freeze(self, request, queryset):
        return confirm_and_apply(
            self,
            request,
            queryset,
            title="Freeze organizations",
            intro="A frozen organization's projects take no uploads, and it takes no new projects, until unfrozen.",
            apply=lambda org, data: services.moderation.freeze(org, request.user, data["reason"]),
        )

    @admin.action(description="Unfreeze selected organizations", permissions=["change"])
    def unfreeze(self, request, queryset):
        return confirm_and_apply(
            self,
            request,
            queryset,
            title="Unfreeze organizations",
            apply=lambda org, data: services.moderation.unfreeze(org, request.user, data["reason"]),
        )

    @admin.action(description="Allow private projects in selected organizations", permissions=["change"])
    def allow_private(self, request, queryset):
        return confirm_and_apply(
            self,
            request,
            queryset,
            title="Make organizations private-capable",
            intro="Their Owners can then make any of their projects private.",
            apply=lambda org, data: services.moderation.allow_private(org, request.user, data["reason"]),
        )


@admin.register(OrganizationApplication)
class OrganizationApplicationAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    """The applications queue: pending first; approve creates the organization and mails the
    applicant, decline mails them the reason."""

    list_display = ["name", "display_name", "kind", "submitted_by", "created", "status", "decided_by"]
    list_filter = ["status", "kind"]
    list_select_related = ["submitted_by", "decided_by"]
    search_fields = ["normalized_name", "display_name", "submitted_by__username"]
    actions = ["approve", "decline"]

    def get_ordering(self, request):
        # A queue: pending applications first, the oldest first (then the decided ones).
        pending = Case(When(status="pending", then=Value(0)), default=Value(1), output_field=IntegerField())
        return [pending, "created"]

    def has_decide_permission(self, request):
        return request.user.has_perm("organizations.change_organizationapplication")

    @admin.action(description="Approve selected applications (creates the organizations)", permissions=["decide"])
    def approve(self, request, queryset):
        return confirm_and_apply(
            self,
            request,
            queryset,
            title="Approve applications",
            intro="Each creates its organization with the applicant as Owner, and mails them.",
            form_class=NoFieldsForm,
            apply=lambda application, data: services.applications.approve(application, request.user),
        )

    @admin.action(description="Decline selected applications (with a reason, mailed)", permissions=["decide"])
    def decline(self, request, queryset):
        return confirm_and_apply(
            self,
            request,
            queryset,
            title="Decline applications",
            form_class=ReasonForm,
            apply=lambda application, data: services.applications.decline(application, request.user, data["reason"]),
        )


@admin.register(OrganizationRole)
class OrganizationRoleAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["organization", "user", "role_name", "created"]
    list_filter = ["role_name"]
    list_select_related = ["organization", "user"]
    search_fields = ["organization__normalized_name", "user__username"]


class TeamMemberInline(ReadOnlyInline):
    model = TeamMember
    fields = readonly_fields = ["user", "created"]


class TeamProjectRoleInline(ReadOnlyInline):
    model = TeamProjectRole
    fields = readonly_fields = ["project", "role_name", "created"]


@admin.register(Team)
class TeamAdmin(ViewOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "organization", "created"]
    list_select_related = ["organization"]
    search_fields = ["normalized_name", "organization__normalized_name"]
    inlines = [TeamMemberInline, TeamProjectRoleInline]
