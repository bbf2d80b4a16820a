"""PEP 691 content negotiation for the simple repository API."""

from core.http import accepted_values

JSON_V1 = "application/vnd.pypi.simple.v1+json"
HTML_V1 = "application/vnd.pypi.simple.v1+html"
TEXT_HTML = "text/html"

# Media types a client may ask for -> the media type we answer with.
_OFFERS = {
    JSON_V1: JSON_V1,
    "application/vnd.pypi.simple.latest+json": JSON_V1,
    HTML_V1: HTML_V1,
    "application/vnd.pypi.simple.latest+html": HTML_V1,
    TEXT_HTML: TEXT_HTML,
    "text/*": TEXT_HTML,
    "*/*": TEXT_HTML,
}
# ?format= override, for browsers and curl.
_FORMATS = {"json": JSON_V1, JSON_V1: JSON_V1, "html": TEXT_HTML, HTML_V1: HTML_V1, TEXT_HTML: TEXT_HTML}


class NotAcceptable(Exception):
    pass


def negotiate(request) -> str:
    """The media type to answer with; text/html when the client says nothing usable."""
    fmt = request.GET.get("format")
    if fmt:
        if fmt.lower() not in _FORMATS:
            raise NotAcceptable(f"Unknown format {fmt!r}: use 'json' or 'html'.")
        return _FORMATS[fmt.lower()]
    for media in accepted_values(request.META.get("HTTP_ACCEPT", "")):
        if media in _OFFERS:
            return _OFFERS[media]
    return TEXT_HTML
