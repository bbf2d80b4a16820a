"""Read twine's multipart form into a plain dict of core metadata.

The body is read here, through LimitedHashingUploadHandler: streamed to a temporary file,
hashed on the way and cut off with a 413 as soon as the file passes its size limit.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParserError
from django.utils.datastructures import MultiValueDict

from .errors import UploadError, help_url
from .handlers import HashedTemporaryFile, LimitedHashingUploadHandler
from .multipart import StrictMultiPartParser

TRUE_VALUES = {"1", "true", "yes", "on"}

SINGLE_FIELDS = [
    "metadata_version",
    "name",
    "version",
    "summary",
    "description",
    "description_content_type",
    "keywords",
    "home_page",
    "download_url",
    "author",
    "author_email",
    "maintainer",
    "maintainer_email",
    "license",
    "license_expression",
    "requires_python",
]
# Multi-use fields arrive repeated; twine pluralises most of them.
MULTI_FIELDS = {
    "classifiers": "classifiers",
    "requires_dist": "requires_dist",
    "provides_extra": "provides_extra",
    "requires_external": "requires_external",
    "provides_dist": "provides_dist",
    "obsoletes_dist": "obsoletes_dist",
    "dynamic": "dynamic",
    "platform": "platform",
    "supported_platform": "supported_platform",
    "license_file": "license_files",
    "license_files": "license_files",
}


@dataclass
class UploadForm:
    metadata: dict
    filetype: str
    pyversion: str
    content: HashedTemporaryFile  # what LimitedHashingUploadHandler received
    digests: dict = field(default_factory=dict)  # as declared by the client
    validate_only: bool = False  # dry run: run every check, store nothing
    attestations: str = ""  # PEP 740: a JSON array, verified by attestations.py
    provenance: str | None = None  # set once they are verified: the document to store

    @property
    def name(self) -> str:
        return self.metadata["name"]

    @property
    def version(self) -> str:
        return self.metadata["version"]

    @property
    def filename(self) -> str:
        return self.content.name or ""  # a file part always has a name (handlers.py)


def _project_urls(values: Iterable[str]) -> dict[str, str]:
    urls = {}
    for value in values:
        label, sep, url = value.partition(",")
        if not sep:
            raise UploadError(
                f"Invalid Project-URL '{value}': use 'Label, https://url'.",
                field="project_urls",
                help_url="https://packaging.python.org/specifications/core-metadata/#project-url-multiple-use",
            )
        urls[label.strip()] = url.strip()
    return urls


def read_body(request: HttpRequest) -> tuple[QueryDict, MultiValueDict]:
    """Parse the multipart body, as sent (multipart.py), with the streaming handler; returns (POST, FILES)."""
    handler = LimitedHashingUploadHandler(request)
    content_type = request.META.get("CONTENT_TYPE", "")
    try:
        if not content_type.lower().startswith("multipart/form-data"):
            raise UploadError(
                "The upload must be sent as multipart/form-data (as twine sends it).", code="invalid_form"
            )
        post, files = StrictMultiPartParser(request, [handler]).parse()
        request._post, request._files = post, files  # type: ignore[attr-defined]  # Django's parsed-body cache
    except RequestDataTooBig:
        raise UploadError(
            "The form fields are too large (the long description is limited to 16 MiB).", status=413, code="too_large"
        ) from None
    except TooManyFieldsSent:
        raise UploadError("Too many form fields.", code="invalid_form") from None
    except MultiPartParserError as exc:
        raise UploadError(f"Invalid multipart form data: {exc}", code="invalid_form") from None
    if handler.error is not None:
        raise handler.error
    return post, files


def is_validate_only(request: HttpRequest, post: QueryDict) -> bool:
    """The documented dry-run switch: form field `validate_only` or header `X-Validate-Only`."""
    values = (post.get("validate_only", ""), request.META.get("HTTP_X_VALIDATE_ONLY", ""))
    return any(value.strip().lower() in TRUE_VALUES for value in values)


def parse_form(request: HttpRequest) -> UploadForm:
    post, files = read_body(request)
    action = post.get(":action", "")
    if action in {"submit", "submit_pkg_info"}:
        raise UploadError(
            "Project pre-registration is no longer required or supported; upload your files instead.",
            status=410,
            code="gone",
            help_url=help_url("retired-actions"),
        )
    if action == "doc_upload":
        raise UploadError(
            "Uploading documentation is no longer supported; host documentation elsewhere (e.g. Read the Docs).",
            status=410,
            code="gone",
            help_url=help_url("retired-actions"),
        )
    if action != "file_upload":
        raise UploadError(f"Unknown or missing ':action' {action!r}: only 'file_upload' is supported.", field=":action")
    if post.get("protocol_version", "1") != "1":
        raise UploadError("Unknown protocol version.", field="protocol_version")
    content = files.get("content")
    if content is None:
        raise UploadError("Upload payload does not have a file.", field="content", code="missing_file")
    metadata: dict[str, Any] = {
        key: post.get(key, "").strip() if key != "description" else post.get(key, "") for key in SINGLE_FIELDS
    }
    for form_key, meta_key in MULTI_FIELDS.items():
        values = [v for v in post.getlist(form_key) if v.strip()]
        if values or meta_key not in metadata:
            metadata[meta_key] = metadata.get(meta_key, []) + values
    metadata["project_urls"] = _project_urls(v for v in post.getlist("project_urls") if v.strip())
    for required in ("name", "version"):
        if not metadata[required]:
            raise UploadError(f"'{required}' is a required field.", field=required)
    digests = {
        key: post.get(form_key, "").strip().lower()
        for key, form_key in (("md5", "md5_digest"), ("sha256", "sha256_digest"), ("blake2_256", "blake2_256_digest"))
        if post.get(form_key, "").strip()
    }
    return UploadForm(
        metadata=metadata,
        filetype=post.get("filetype", "").strip(),
        pyversion=post.get("pyversion", "").strip(),
        content=content,
        digests=digests,
        validate_only=is_validate_only(request, post),
        attestations=post.get("attestations", "").strip(),
    )
