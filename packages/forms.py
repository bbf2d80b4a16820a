"""Forms of the maintainer portal and search."""

from django import forms
from django.contrib.auth import get_user_model

from core.search_bound import QueryTooLarge, check_query

from .models import Role

ROLE_FIELD_CHOICES = [(Role.OWNER, "Owner"), (Role.MAINTAINER, "Maintainer")]


class SearchForm(forms.Form):
    ORDER_CHOICES = [("relevance", "Relevance"), ("date", "Date last updated")]

    q = forms.CharField(required=False, label="Search projects")
    c = forms.MultipleChoiceField(required=False, label="Classifier")
    o = forms.ChoiceField(required=False, choices=ORDER_CHOICES, label="Order by")

    def __init__(self, *args, classifier_names=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["c"].choices = [(name, name) for name in classifier_names]

    def clean(self):
        """The search bound shared with XML-RPC (packages/search.py): refused, not cut."""
        cleaned = super().clean()
        try:
            check_query(cleaned.get("q", ""), cleaned.get("c", []))
        except QueryTooLarge as exc:
            raise forms.ValidationError(str(exc), code="query_too_large") from None
        return cleaned


class ReasonForm(forms.Form):
    reason = forms.CharField(
        required=False, max_length=500, label="Reason (optional, shown to users)", widget=forms.TextInput
    )


class ConfirmNameForm(forms.Form):
    """Destructive actions are confirmed by typing the name of what is removed."""

    confirm = forms.CharField(max_length=255, label="Type the name to confirm")
    reason = forms.CharField(required=False, max_length=500, label="Reason (optional, kept in the project history)")

    def __init__(self, *args, expected, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected
        self.fields["confirm"].label = f"Type {expected} to confirm"

    def clean_confirm(self):
        value = self.cleaned_data["confirm"].strip()
        if value != self.expected:
            raise forms.ValidationError(f"That is not {self.expected!r}; nothing was deleted.")
        return value


class InviteForm(forms.Form):
    who = forms.CharField(max_length=254, label="Username or email address")
    role_name = forms.ChoiceField(choices=ROLE_FIELD_CHOICES, label="Role", initial=Role.MAINTAINER)

    def clean_who(self):
        from allauth.account.models import EmailAddress

        who = self.cleaned_data["who"].strip()
        if "@" in who:
            # Only a verified address identifies a person; anybody can type an address into a signup form.
            address = EmailAddress.objects.filter(email__iexact=who, verified=True, user__is_active=True).first()
            user = address.user if address else None
        else:
            user = get_user_model().objects.filter(is_active=True, username__iexact=who).first()
        if user is None:
            raise forms.ValidationError("No active account has that username or verified email address.")
        return user


class RoleForm(forms.Form):
    role_name = forms.ChoiceField(choices=ROLE_FIELD_CHOICES, label="Role")


class PrivacyForm(forms.Form):
    private = forms.TypedChoiceField(choices=[("1", "Private"), ("0", "Public")], coerce=lambda v: v == "1")
    reason = forms.CharField(required=False, max_length=500, label="Reason (optional, kept in the history)")


class StatusForm(forms.Form):
    STATUS_CHOICES = [("archived", "Archived"), ("active", "Active")]

    status = forms.ChoiceField(choices=STATUS_CHOICES)
    reason = forms.CharField(required=False, max_length=500, label="Note shown with the status (optional)")
