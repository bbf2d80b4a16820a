"""Where distribution files live: the "packages" storage from settings.STORAGES."""
from django.core.files.storage import storages


def package_storage():
    return storages["packages"]


def file_path(blake2_256_hex: str, filename: str) -> str:
    """Content-addressed, immutable path: <b2[:2]>/<b2[2:4]>/<b2[4:]>/<filename>."""
    b = blake2_256_hex
    return f"{b[:2]}/{b[2:4]}/{b[4:]}/{filename}"
