"""The long description must render for its declared content type, within the rendering budget
(core/readme.py owns both); the HTML is returned so the release stores it and pages never render."""

from core import readme

from .errors import invalid
from .metadata import Metadata

CONTENT_TYPE_URL = "https://packaging.python.org/specifications/core-metadata/#description-content-type"


def check_description(metadata: Metadata) -> str:
    """The sanitized HTML of the description ('' when there is none), or a 400 saying why not."""
    declared = metadata.get("description_content_type") or ""
    try:
        return readme.render(metadata.get("description") or "", declared)
    except readme.ReadmeError as exc:
        if exc.code == "bad_content_type":
            raise invalid(str(exc), "description_content_type", url=CONTENT_TYPE_URL, code="bad_content_type") from None
        if exc.code == "too_large":
            raise invalid(
                f"{exc} Shorten the README (the project page shows it whole).",
                "description",
                url=CONTENT_TYPE_URL,
                code="description_too_large",
            ) from None
        if declared:
            message = f"The description failed to render for '{declared}'."
        else:
            message = "The description failed to render in the default format of reStructuredText."
        raise invalid(
            f"{message} Check it with 'twine check' before uploading.",
            "description",
            url=CONTENT_TYPE_URL,
            code="description_render",
        ) from None
