"""Forms of the organization pages. Names are checked by the services (one rule each)."""

from django import forms
from django.contrib.auth import get_user_model

from packages.forms import ROLE_FIELD_CHOICES, InviteForm
from packages.models import Project

from .models import Organization, OrganizationApplication, OrganizationRole
from .services import OrganizationError, check_name


class NoSuffix:
    """Labels as the portal's hand-written forms have them: no trailing colon."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class ApplyForm(NoSuffix, forms.ModelForm):
    url = forms.URLField(
        required=False, max_length=400, assume_scheme="https", label="URL", help_text="Optional: its web site."
    )

    class Meta:
        model = OrganizationApplication
        fields = ["name", "display_name", "url", "description", "kind"]
        labels = {"name": "Organization name", "url": "URL", "kind": "Kind"}
        help_texts = {
            "name": "As a project name: letters, digits, '.', '_' and '-'. Its page will be /org/<name>/.",
            "display_name": "Shown on its page, e.g. “The Example Company”.",
            "description": "Optional: one paragraph, shown on its page.",
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_name(self):
        try:
            return check_name(self.cleaned_data["name"])[0]
        except OrganizationError as exc:
            raise forms.ValidationError(str(exc)) from None


class MemberInviteForm(NoSuffix, InviteForm):
    """Username or verified address (as for project invitations), and an organization role."""

    role_name = forms.ChoiceField(choices=OrganizationRole.ROLE_CHOICES, label="Role", initial=OrganizationRole.MEMBER)


class MemberRoleForm(NoSuffix, forms.Form):
    role_name = forms.ChoiceField(choices=OrganizationRole.ROLE_CHOICES, label="Role")


class TeamForm(NoSuffix, forms.Form):
    name = forms.CharField(max_length=50, label="Team name")


class TeamMemberForm(NoSuffix, forms.Form):
    username = forms.CharField(max_length=150, label="Username of a member")

    def clean_username(self):
        user = get_user_model().objects.filter(username__iexact=self.cleaned_data["username"].strip()).first()
        if user is None:
            raise forms.ValidationError("No account has that username.")
        return user


class TeamProjectForm(NoSuffix, forms.Form):
    project = forms.ModelChoiceField(queryset=Project.objects.none(), label="Project", to_field_name="normalized_name")
    role_name = forms.ChoiceField(choices=ROLE_FIELD_CHOICES, label="Role", initial="Maintainer")

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = Project.objects.filter(organization=organization).order_by("normalized_name")


class NewProjectForm(NoSuffix, forms.Form):
    name = forms.CharField(max_length=200, label="New project name")


class MoveProjectForm(NoSuffix, forms.Form):
    """One of the user's own projects that belongs to no organization (they must be its Owner)."""

    project = forms.ModelChoiceField(queryset=Project.objects.none(), label="Project", to_field_name="normalized_name")

    def __init__(self, *args, projects, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = projects


class SettingsForm(NoSuffix, forms.ModelForm):
    url = forms.URLField(required=False, max_length=400, assume_scheme="https", label="URL")

    class Meta:
        model = Organization
        fields = ["display_name", "url", "description"]
        labels = {"url": "URL"}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
