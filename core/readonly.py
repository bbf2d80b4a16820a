"""Index URLs that clients only read: a POST there is an upload sent to the wrong URL."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponseNotAllowed
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt


def read_only(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """GET and HEAD only; anything else is a 405 that names the upload URL (uv prints it after
    its own hint), never a CSRF page. The view stays CSRF-exempt because it changes nothing."""

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD"):
            upload_url = request.build_absolute_uri(reverse("legacy_upload"))
            response = HttpResponseNotAllowed(
                ["GET", "HEAD"],
                f"This URL is read-only. Upload to {upload_url}\n",
                content_type="text/plain; charset=utf-8",
            )
            return response
        return view(request, *args, **kwargs)

    return wrapper
