"""Upload failures: the message goes in the HTTP reason phrase (twine prints it) and the body,
as JSON {code, field, message, help_url} when the client accepts JSON."""
import json

from django.conf import settings
from django.http import HttpResponse


def help_url(anchor):
    """Link to this index's own page that explains an upload rule."""
    return f"{settings.SITE_URL.rstrip('/')}/legacy/help/#{anchor}"


class UploadError(Exception):
    def __init__(self, message, *, status=400, code="invalid", field=None, help_url=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.field = field
        self.help_url = help_url

    def as_dict(self):
        return {"code": self.code, "field": self.field, "message": self.message, "help_url": self.help_url}

    def response(self, request):
        # A reason phrase must be one latin-1 line.
        reason = " ".join(self.message.split()).encode("latin-1", "replace").decode("latin-1")
        if wants_json(request):
            response = HttpResponse(json.dumps(self.as_dict()), status=self.status, content_type="application/json")
        else:
            text = self.message + (f"\nSee {self.help_url}" if self.help_url and self.help_url not in self.message else "")
            response = HttpResponse(text + "\n", status=self.status, content_type="text/plain; charset=utf-8")
        response.reason_phrase = reason
        return response


def wants_json(request):
    return "application/json" in request.META.get("HTTP_ACCEPT", "")


def invalid(message, field=None, *, anchor=None, url=None, code="invalid", status=400):
    """Shorthand for the common 400 with a help link (our help page anchor or a spec URL)."""
    return UploadError(message, status=status, code=code, field=field, help_url=url or (help_url(anchor) if anchor else None))
