"""Where distribution files live: the "packages" storage from settings.STORAGES, their paths in
it, and the URLs they are downloaded from."""

from django.core.files.storage import storages


def package_storage():
    return storages["packages"]


def file_path(blake2_256_hex: str, filename: str) -> str:
    """Content-addressed, immutable path: <b2[:2]>/<b2[2:4]>/<b2[4:]>/<filename>."""
    b = blake2_256_hex
    return f"{b[:2]}/{b[2:4]}/{b[4:]}/{filename}"


# api/urls.py serves FILES_URL_PREFIX + <path in storage>; deploy/nginx.conf's file locations
# and settings.INSTALLER_PATH_PREFIXES name the same prefix.
FILES_URL_PREFIX = "/packages/"


def file_url_path(storage_path: str) -> str:
    """The download URL path of a stored distribution or metadata file (File.path, File.metadata_path)."""
    return FILES_URL_PREFIX + storage_path
