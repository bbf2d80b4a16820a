"""Upload failures: the message goes in the HTTP reason phrase (twine, poetry, pdm and hatch
print it) and the body, as JSON when the client accepts JSON (uv does).

The JSON body has pypi.org's shape, which is what clients read: `message`, `title`, and `code`
as "<status> <message>" (uv prints `code` alone). Our machine-readable refusal code, the form
field and the help link travel beside them as `error_code`, `field` and `help_url`."""

import json
from http import HTTPStatus

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def help_url(anchor: str) -> str:
    """Link to this index's own page that explains an upload rule."""
    return f"{settings.SITE_URL.rstrip('/')}/legacy/help/#{anchor}"


class UploadError(Exception):
    def __init__(
        self,
        message: str,
        *,
        status: int = 400,
        code: str = "invalid",
        field: str | None = None,
        help_url: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.headers = headers or {}
        self.message = message
        self.status = status
        self.code = code
        self.field = field
        self.help_url = help_url

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            "message": self.message,
            "code": f"{self.status} {self.message}",
            "title": HTTPStatus(self.status).phrase,
            "error_code": self.code,
            "field": self.field,
            "help_url": self.help_url,
        }

    def response(self, request: HttpRequest) -> HttpResponse:
        # A reason phrase must be one latin-1 line of printable characters.
        line = "".join(char if char.isprintable() else " " for char in " ".join(self.message.split()))
        reason = line.encode("latin-1", "replace").decode("latin-1")
        if wants_json(request):
            response = HttpResponse(json.dumps(self.as_dict()), status=self.status, content_type="application/json")
        else:
            text = self.message + (
                f"\nSee {self.help_url}" if self.help_url and self.help_url not in self.message else ""
            )
            response = HttpResponse(text + "\n", status=self.status, content_type="text/plain; charset=utf-8")
        response.reason_phrase = reason
        for name, value in self.headers.items():
            response[name] = value
        return response


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.META.get("HTTP_ACCEPT", "")


def invalid(
    message: str,
    field: str | None = None,
    *,
    anchor: str | None = None,
    url: str | None = None,
    code: str = "invalid",
    status: int = 400,
) -> UploadError:
    """Shorthand for the common 400 with a help link (our help page anchor or a spec URL)."""
    return UploadError(
        message, status=status, code=code, field=field, help_url=url or (help_url(anchor) if anchor else None)
    )
