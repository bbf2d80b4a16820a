"""Streaming upload handler: the body goes to a temporary file, hashed on the way, and is cut
off as soon as the file passes its size limit (so a 10 GiB body never lands on disk)."""

from typing import Any, NoReturn

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

from core.uploads import ensure_upload_temp_dir
from packages.digests import Digester

from .errors import UploadError, help_url
from .limits import file_limit_for_filename, human_size

# Other file fields (twine sends none today) get a small limit of their own.
OTHER_FILE_LIMIT = 1024 * 1024
# After a cut-off, read and discard at most this much more so the client can still read the
# 413 (clients that are still sending ignore an early answer); beyond it, drop the connection.
DRAIN_LIMIT = 64 * 1024 * 1024


class HashedTemporaryFile(TemporaryUploadedFile):
    """A TemporaryUploadedFile that also carries the digests computed while it was received."""

    digests: dict[str, str]


class LimitedHashingUploadHandler(FileUploadHandler):
    """Writes each file field to disk while computing md5/sha256/blake2b-256 and its size."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.error: UploadError | None = None  # a 413 once a limit was passed
        self.body_length = 0
        self.received = 0

    def handle_raw_input(
        self,
        input_data: object,
        META: dict[str, str],
        content_length: int,
        boundary: object,
        encoding: str | None = None,
    ) -> None:
        self.body_length = content_length or 0
        return None  # let the normal multipart parsing go on

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        ensure_upload_temp_dir()
        # Django's parser calls this only for a part with a (non-empty) filename.
        self.file = HashedTemporaryFile(
            file_name,
            self.content_type,
            0,
            self.charset,
            self.content_type_extra,
        )
        if field_name != "content":
            self.limit = OTHER_FILE_LIMIT
            self.limit_message = f"File too large. The limit for '{field_name}' is {human_size(OTHER_FILE_LIMIT)}."
        elif 0 < self.body_length <= settings.UPLOAD_MAX_FILE_SIZE:
            # The whole body fits every project's file limit (limits are only ever raised), so it
            # streams without a lookup; the project's total size is checked under its lock later.
            self.limit, self.limit_message = self.body_length, ""
        else:
            self.limit, self.limit_message = file_limit_for_filename(file_name)
        self.digester = Digester()
        self.size = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.size += len(raw_data)
        self.received += len(raw_data)
        if self.size > self.limit:
            self._cut_off()
        self.digester.update(raw_data)
        self.file.write(raw_data)
        return None

    def file_complete(self, file_size: int) -> HashedTemporaryFile:
        self.file.seek(0)
        self.file.size = file_size
        self.file.digests = self.digester.hexdigests()
        return self.file

    def upload_interrupted(self) -> None:
        self._discard_file()

    def _cut_off(self) -> NoReturn:
        self.error = UploadError(
            self.limit_message, status=413, code="too_large", field="content", help_url=help_url("size-limits")
        )
        self._discard_file()
        still_to_come = max(0, self.body_length - self.received)
        raise StopUpload(connection_reset=still_to_come > DRAIN_LIMIT and not self._dev_server())

    def _dev_server(self) -> bool:
        # Django's runserver reads whatever body is left in one piece when the response is done;
        # discarding it here in chunks (Django's exhaust) keeps that from costing memory.
        return self.request is not None and self.request.META.get("SERVER_SOFTWARE", "").startswith("WSGIServer/")

    def _discard_file(self) -> None:
        file = getattr(self, "file", None)
        if file is not None and not file.closed:
            file.close()  # a NamedTemporaryFile removes itself on close
