"""Upload temporary files. FILE_UPLOAD_TEMP_DIR is created by the first upload that needs it,
not when settings are imported (importing settings writes nothing outside development mode)."""

import os
from typing import Any

from django.conf import settings
from django.core.files import uploadhandler


def ensure_upload_temp_dir() -> None:
    """Make FILE_UPLOAD_TEMP_DIR if it is missing (two system calls when it is there)."""
    if settings.FILE_UPLOAD_TEMP_DIR:
        os.makedirs(settings.FILE_UPLOAD_TEMP_DIR, exist_ok=True)


class TemporaryFileUploadHandler(uploadhandler.TemporaryFileUploadHandler):
    """FILE_UPLOAD_HANDLERS' handler for the site's forms (sponsor logos, ...); the upload API has
    its own (api/upload/handlers.py), which makes the directory the same way."""

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        ensure_upload_temp_dir()
        super().new_file(*args, **kwargs)
