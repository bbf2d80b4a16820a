"""Upload failures: the message goes in the HTTP reason phrase (twine prints it) and the body."""
import json

from django.http import HttpResponse


class UploadError(Exception):
    def __init__(self, message, *, status=400, code="invalid", field=None, help_url=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.field = field
        self.help_url = help_url

    def response(self, request):
        # A reason phrase must be one latin-1 line.
        reason = " ".join(self.message.split()).encode("latin-1", "replace").decode("latin-1")
        if "application/json" in request.META.get("HTTP_ACCEPT", ""):
            body = json.dumps(
                {"code": self.code, "field": self.field, "message": self.message, "help_url": self.help_url}
            )
            response = HttpResponse(body, status=self.status, content_type="application/json")
        else:
            text = self.message + (f"\nSee {self.help_url}" if self.help_url else "")
            response = HttpResponse(text + "\n", status=self.status, content_type="text/plain; charset=utf-8")
        response.reason_phrase = reason
        return response
