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


def signed_url(storage_path: str) -> str:
    """A URL of the stored object that only works for a while: presigned (SigV4, for
    S3_URL_EXPIRY_SECONDS) even where the storage's own URLs are plain (S3_PUBLIC_BUCKET,
    S3_CUSTOM_DOMAIN). Private projects' files leave only this way. Local storage has no such
    URL (its files are sent by Django or nginx, never redirected to)."""
    from storages.backends.s3 import S3Storage
    from storages.utils import clean_name

    storage = package_storage()
    if not isinstance(storage, S3Storage):
        return storage.url(storage_path)
    # The signed connection, to the bucket's endpoint (not the CDN's custom domain).
    return storage.connection.meta.client.generate_presigned_url(
        "get_object",
        Params={"Bucket": storage.bucket.name, "Key": storage._normalize_name(clean_name(storage_path))},
        ExpiresIn=storage.querystring_expire,
    )
