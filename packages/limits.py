"""A project's size limits: the one rule that the upload enforces and the portal and the admin show.

Per file the site default is UPLOAD_MAX_FILE_SIZE, per project UPLOAD_MAX_PROJECT_SIZE. As on
pypi.org, staff can only raise them for a project (Project.upload_limit, total_size_limit;
empty means the default), up to UPLOAD_LIMIT_CAP and UPLOAD_PROJECT_SIZE_CAP. A stored value
below the default (the default was raised since) counts as the default, one above the cap
(the cap was lowered since) as the cap.
"""

from django.conf import settings


def _limit(default, staff_value, cap):
    return max(default, min(staff_value or 0, cap))


def file_size_limit(project) -> int:
    """The largest file `project` takes (None: a project that doesn't exist yet)."""
    value = project.upload_limit if project is not None else None
    return _limit(settings.UPLOAD_MAX_FILE_SIZE, value, settings.UPLOAD_LIMIT_CAP)


def total_size_limit(project) -> int:
    """The most all of `project`'s files together may weigh."""
    value = project.total_size_limit if project is not None else None
    return _limit(settings.UPLOAD_MAX_PROJECT_SIZE, value, settings.UPLOAD_PROJECT_SIZE_CAP)


def file_size_raised(project) -> bool:
    return file_size_limit(project) > settings.UPLOAD_MAX_FILE_SIZE


def total_size_raised(project) -> bool:
    return total_size_limit(project) > settings.UPLOAD_MAX_PROJECT_SIZE


LABELS = {"upload_limit": "File size limit", "total_size_limit": "Total size limit"}


def staff_value_errors(*, upload_limit, total_size_limit):
    """{field: message} for the values staff may not store (empty: both may be stored)."""
    errors = {}
    for field, value, default, cap in (
        ("upload_limit", upload_limit, settings.UPLOAD_MAX_FILE_SIZE, settings.UPLOAD_LIMIT_CAP),
        ("total_size_limit", total_size_limit, settings.UPLOAD_MAX_PROJECT_SIZE, settings.UPLOAD_PROJECT_SIZE_CAP),
    ):
        if value is not None and not default <= value <= cap:
            errors[field] = (
                f"Must be between {default} bytes (the site default: a limit can only be raised) "
                f"and {cap} bytes, or empty for the default."
            )
    return errors
