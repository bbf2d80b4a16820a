"""allauth's email confirmation view, with a clear page (not a bare 404) for a stale link posted."""

from allauth.account.views import ConfirmEmailView as AllauthConfirmEmailView
from django.http import Http404


class ConfirmEmailView(AllauthConfirmEmailView):
    def post(self, *args, **kwargs):
        try:
            return super().post(*args, **kwargs)
        except Http404:
            # Expired, already used or unknown: show the page that says so and how to get a new link.
            response = self.get(*args, **kwargs)
            response.status_code = 410
            return response
