"""Reading twine's multipart body as the client sent it.

Django's parser makes a body presentable: it cuts a file name down to its last path segment
and drops unprintable characters, and it decodes every field with U+FFFD for bytes that are
not UTF-8. An index must judge what was sent instead (pypi.org refuses such names and
fields), so this parser checks each file name before Django would sanitize it, and decodes
fields losslessly (ISO-8859-1 maps every byte to one character) so they can then be decoded
as strict UTF-8 here. Names and values with NUL are refused too: PostgreSQL can't store them.
"""

import io
import unicodedata

from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParser
from django.utils.datastructures import MultiValueDict

from .errors import UploadError, help_url

LOSSLESS = "iso-8859-1"


class StrictMultiPartParser(MultiPartParser):
    def __init__(self, request: HttpRequest, handlers: list[FileUploadHandler]) -> None:
        body = io.BytesIO(request.body) if hasattr(request, "_body") else request  # read already (tests)
        super().__init__(request.META, body, handlers, LOSSLESS)

    def sanitize_file_name(self, file_name: str) -> str:
        check_sent_filename(file_name)
        return file_name  # as sent: nothing in it that a base name would drop

    def parse(self) -> tuple[QueryDict, MultiValueDict]:
        post, files = super().parse()
        return _strict_utf8(post), files


def _has_control(text: str) -> bool:
    return any(unicodedata.category(char) == "Cc" for char in text)


def check_sent_filename(name: str) -> None:
    if "/" in name or "\\" in name:
        raise UploadError(
            "Cannot upload a file with '/' or '\\' in the name.",
            field="content",
            code="bad_filename",
            help_url=help_url("file-types"),
        )
    if _has_control(name) or "\ufffd" in name:
        raise UploadError(
            "Cannot upload a file with control characters, NUL or bytes that are not UTF-8 in the name.",
            field="content",
            code="bad_filename",
            help_url=help_url("file-types"),
        )


def _strict_utf8(post: QueryDict) -> QueryDict:
    decoded = QueryDict(mutable=True)
    for name, values in post.lists():
        if "\x00" in name or "\ufffd" in name:
            raise UploadError("A form field name contains NUL or bytes that are not UTF-8.", code="invalid_form")
        decoded.setlist(name, [_decode(value, name) for value in values])
    decoded._mutable = False
    return decoded


def _decode(value: str, field: str) -> str:
    try:
        text = value.encode(LOSSLESS).decode("utf-8")
    except UnicodeDecodeError:
        raise UploadError(
            f"The form field '{field}' is not valid UTF-8: send every field encoded as UTF-8.",
            field=field,
            code="invalid_encoding",
        ) from None
    if "\x00" in text:
        raise UploadError(f"The form field '{field}' contains a NUL character.", field=field, code="invalid_form")
    return text
