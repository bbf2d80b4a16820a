"""The long description must render for its declared content type, as it will on the project page."""
import io
from email.message import Message

import readme_renderer.markdown
import readme_renderer.rst
import readme_renderer.txt

from .errors import invalid

CONTENT_TYPE_URL = "https://packaging.python.org/specifications/core-metadata/#description-content-type"
CONTENT_TYPES = ("text/plain", "text/x-rst", "text/markdown")
MARKDOWN_VARIANTS = ("GFM", "CommonMark")


def parse_content_type(value):
    """Split 'text/markdown; charset=UTF-8; variant=GFM' into (type, params) with the email parser."""
    message = Message()
    message["content-type"] = value
    params = message.get_params() or []
    # The email parser falls back to text/plain on garbage: take the type as written.
    return value.split(";", 1)[0].strip().lower(), {key.lower(): val for key, val in params[1:]}


def check_content_type(value):
    if not value:
        return "text/x-rst", {}
    content_type, params = parse_content_type(value)
    if content_type not in CONTENT_TYPES:
        raise invalid(f"Invalid description content type '{value}': use one of {', '.join(CONTENT_TYPES)}.",
                      "description_content_type", url=CONTENT_TYPE_URL, code="bad_content_type")
    charset = params.get("charset", "UTF-8")
    if charset.upper() != "UTF-8":
        raise invalid(f"Invalid description content type '{value}': the charset must be UTF-8.",
                      "description_content_type", url=CONTENT_TYPE_URL, code="bad_content_type")
    variant = params.get("variant")
    if content_type == "text/markdown" and variant is not None and variant not in MARKDOWN_VARIANTS:
        raise invalid(f"Invalid description content type '{value}': the markdown variant must be one of "
                      f"{', '.join(MARKDOWN_VARIANTS)}.", "description_content_type", url=CONTENT_TYPE_URL,
                      code="bad_content_type")
    return content_type, params


def render(description, content_type, params):
    """Return the rendered HTML, or None when the renderer refused the text."""
    if content_type == "text/x-rst":
        return readme_renderer.rst.render(description, stream=io.StringIO())
    if content_type == "text/markdown":
        return readme_renderer.markdown.render(description, variant=params.get("variant", "GFM"))
    return readme_renderer.txt.render(description)


def check_description(metadata):
    declared = metadata.get("description_content_type") or ""
    content_type, params = check_content_type(declared)
    description = metadata.get("description") or ""
    if not description.strip() or description.strip() == "UNKNOWN":
        return
    if render(description, content_type, params) is None:
        if declared:
            message = f"The description failed to render for '{declared}'."
        else:
            message = "The description failed to render in the default format of reStructuredText."
        raise invalid(f"{message} Check it with 'twine check' before uploading.", "description",
                      url=CONTENT_TYPE_URL, code="description_render")
