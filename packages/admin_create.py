"""Staff create a project from the admin: the way to register a name the upload rules refuse
for everyone (a look-alike of an existing project), with an Owner chosen by the staff member."""

from django import forms
from django.contrib.auth import get_user_model
from django.db import transaction

from organizations.models import Organization

from . import services
from .models import Project
from .names import is_valid_name, normalize_name


class ProjectCreateForm(forms.ModelForm):
    owner = forms.ModelChoiceField(
        queryset=get_user_model().objects.order_by("username"), help_text="Becomes the project's Owner."
    )

    class Meta:
        model = Project
        fields = ["name"]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not is_valid_name(name):
            raise forms.ValidationError("Not a valid project name (PEP 508).")
        if Project.objects.filter(normalized_name=normalize_name(name)).exists():
            raise forms.ValidationError("A project with this name exists.")
        if Organization.objects.filter(normalized_name=normalize_name(name)).exists():
            raise forms.ValidationError("This is an organization's name: a project cannot take it.")
        return name


class CreateProjectAdminMixin:
    """The add page asks for a name and an Owner only; every other page is the change page."""

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = ProjectCreateForm
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        return [(None, {"fields": ["name", "owner"]})] if obj is None else super().get_fieldsets(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else super().get_readonly_fields(request, obj)

    def get_inlines(self, request, obj):
        return [] if obj is None else super().get_inlines(request, obj)

    def create_project(self, obj, form):
        """ProjectAdmin.save_model's add case: the project, its Owner and their journal entries."""
        with transaction.atomic():
            created = services.create_project(form.cleaned_data["name"], form.cleaned_data["owner"])
        obj.pk = created.pk
        obj._state.adding = False
        obj.refresh_from_db()
