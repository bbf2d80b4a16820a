from django.http import HttpResponse

from . import flags

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class AdminFlagMiddleware:
    """Read-only mode: refuse every write with a 503 that says why (the admin stays usable)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method not in SAFE_METHODS
            and not request.path.startswith("/admin/")
            and not request.path.startswith("/account/login")
            and flags.is_enabled(flags.READ_ONLY)
        ):
            message = "The index is in read-only mode for maintenance. Please try again later."
            return HttpResponse(message, status=503, reason=message, content_type="text/plain")
        return self.get_response(request)
