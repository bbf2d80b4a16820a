"""Forms for the account pages (allauth's own forms cover login, email and password)."""

import datetime

from allauth.account.adapter import get_adapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.account.models import EmailAddress
from allauth.core import context, ratelimit
from django import forms
from django.utils import timezone

from packages.models import Project

from .models import User

NAME_MAX = User._meta.get_field("name").max_length


class SignupForm(AllauthSignupForm):
    """allauth's signup form plus the display name shown on profiles and project pages."""

    name = forms.CharField(
        label="Display name",
        max_length=NAME_MAX,
        required=False,
        help_text="Shown on your profile and projects. Optional; your username is used otherwise.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )


class LoginForm(AllauthLoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "Username or email"


class ResetPasswordForm(AllauthResetPasswordForm):
    """Reset links go only to an address its owner has confirmed (an address merely written into
    a user row, or added and never confirmed, gets nothing), at most a few a day per account."""

    def clean_email(self):
        email = super().clean_email()
        verified = set(
            EmailAddress.objects.filter(email__iexact=email, verified=True).values_list("user_id", flat=True)
        )
        self.users = [user for user in self.users if user.pk in verified]
        if not self.users:
            raise get_adapter().validation_error("unknown_email")
        if not ratelimit.consume(context.request, action="reset_password_account", key=f"user:{self.users[0].pk}"):
            raise forms.ValidationError("Too many password reset requests for this account. Please try again later.")
        return email


class DisplayNameForm(forms.Form):
    name = forms.CharField(
        label="Display name",
        max_length=NAME_MAX,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        help_text="Leave empty to show your username.",
    )


class TokenForm(forms.Form):
    """Name, kind and scope, and an optional expiry date. Upload tokens act for the whole account,
    one of the user's projects (own, team or organization role), or one of their organizations'
    projects (where they may also create projects as its Owner or Manager); read tokens (pip and
    uv, for private projects; they never upload) for one organization the user is in or one
    private project the user may see."""

    ACCOUNT_SCOPE = "account"
    UPLOAD_ORGANIZATION = "org:"
    READ_ORGANIZATION = "read-org:"
    READ_PROJECT = "read-project:"

    name = forms.CharField(
        label="Token name", max_length=100, help_text="What the token is for, e.g. “CI for my-project”."
    )
    scope = forms.ChoiceField(
        label="Scope",
        help_text="An upload token scoped to a project uploads to that project only; one scoped to an "
        "organization, to its projects (and creates new ones there if you are its Owner or Manager). A read token "
        "lets pip and uv install the private projects it covers, and can never upload.",
    )
    expires = forms.DateField(
        label="Expires on",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Optional. The token stops working at the start of this day (UTC).",
    )

    def __init__(self, *args, user, **kwargs):
        from organizations.models import Organization
        from packages.permissions import projects_of, readable_by_user

        super().__init__(*args, **kwargs)
        held = Project.objects.filter(pk__in=projects_of(user)).order_by("normalized_name")
        self.projects = {str(p.pk): p for p in held}
        self.read_organizations = {
            str(o.pk): o for o in Organization.objects.filter(roles__user=user).order_by("normalized_name")
        }
        private = Project.objects.filter(readable_by_user(user), is_private=True).order_by("normalized_name")
        self.read_projects = {str(p.pk): p for p in private}
        upload = [
            (self.ACCOUNT_SCOPE, "Entire account (all projects)"),
            *((pk, f"Project: {p.name}") for pk, p in self.projects.items()),
            *((self.UPLOAD_ORGANIZATION + pk, f"Organization: {o.name}") for pk, o in self.read_organizations.items()),
        ]
        read = [
            (self.READ_ORGANIZATION + pk, f"Read: organization {o.name}") for pk, o in self.read_organizations.items()
        ]
        read += [(self.READ_PROJECT + pk, f"Read: private project {p.name}") for pk, p in self.read_projects.items()]
        choices = [("Upload tokens (twine, uv publish)", upload)]
        if read:
            choices.append(("Read tokens (pip and uv install private projects; never upload)", read))
        self.fields["scope"].choices = choices

    def clean_expires(self):
        day = self.cleaned_data.get("expires")
        if day is None:
            return None
        if day <= timezone.now().date():
            raise forms.ValidationError("Choose a date in the future.")
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=datetime.timezone.utc)

    def clean_scope(self):
        """{"read": bool, "project": Project | None, "organization": Organization | None}."""
        scope = self.cleaned_data["scope"]
        if scope.startswith(self.READ_ORGANIZATION):
            return {"read": True, "project": None, "organization": self.read_organizations[scope.partition(":")[2]]}
        if scope.startswith(self.UPLOAD_ORGANIZATION):
            return {"read": False, "project": None, "organization": self.read_organizations[scope.partition(":")[2]]}
        if scope.startswith(self.READ_PROJECT):
            return {"read": True, "project": self.read_projects[scope.partition(":")[2]], "organization": None}
        project = None if scope == self.ACCOUNT_SCOPE else self.projects[scope]
        return {"read": False, "project": project, "organization": None}


class DeleteAccountForm(forms.Form):
    confirm_username = forms.CharField(
        label="Type your username to confirm", widget=forms.TextInput(attrs={"autocomplete": "off"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_confirm_username(self):
        value = self.cleaned_data["confirm_username"].strip()
        if value != self.user.username:
            raise forms.ValidationError("That is not your username.")
        return value
