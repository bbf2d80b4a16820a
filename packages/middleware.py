from django.http import HttpResponse

from . import flags

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}
SIGNUP_PATHS = ("/account/signup",)
# POSTs that only read (XML-RPC queries) keep working in read-only mode.
READ_ONLY_POST_PATHS = ("/pypi",)
READ_ONLY_MESSAGE = "The index is in read-only mode for maintenance. Please try again later."
SIGNUP_CLOSED_MESSAGE = "New user registration is temporarily disabled. Please try again later."


def _refuse(message, status):
    return HttpResponse(message, status=status, reason=message, content_type="text/plain; charset=utf-8")


class AdminFlagMiddleware:
    """Kill switches that apply to whole URL spaces.

    Read-only mode refuses every write with a 503 that says why (the admin stays usable so
    staff can switch it off again). With new-user registration off, the signup pages answer
    403. Upload and new-project switches are enforced in the upload path.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path
        if path.startswith("/admin/"):
            return self.get_response(request)
        if path.startswith(SIGNUP_PATHS) and not flags.signup_open():
            return _refuse(SIGNUP_CLOSED_MESSAGE, 403)
        if (
            request.method not in SAFE_METHODS
            and not path.startswith("/account/login")
            and path.rstrip("/") not in READ_ONLY_POST_PATHS
            and flags.is_enabled(flags.READ_ONLY)
        ):
            return _refuse(READ_ONLY_MESSAGE, 503)
        return self.get_response(request)
