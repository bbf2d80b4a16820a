"""Every URL that names a project answers another spelling of the name (PEP 503) with a 301 to
the normalized name's URL, as pypi.org does: pages, simple pages and JSON documents alike."""

from functools import wraps

from django.http import HttpResponsePermanentRedirect
from django.urls import reverse

from .names import normalize_name


def redirect_to_normalized_name(view_name):
    """Decorate a view taking `name` (and any other URL arguments): a name that isn't normalized
    gets a permanent redirect to `view_name` with the normalized name, the same other arguments
    and the same query string."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, name, **kwargs):
            normalized = normalize_name(name)
            if normalized == name:
                return view(request, *args, name=name, **kwargs)
            target = reverse(view_name, kwargs={**kwargs, "name": normalized})
            query = request.META.get("QUERY_STRING")
            return HttpResponsePermanentRedirect(f"{target}?{query}" if query else target)

        return wrapper

    return decorator
