"""Distribution and PEP 658 metadata downloads."""

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect

from accounts.readers import CredentialsRefused, reader_for
from packages.storage import package_storage, signed_url
from stats import downloadlog

from ..cached import refusal_response
from . import lookup

METADATA_SUFFIX = ".metadata"
# File URLs are content-addressed, so their bytes never change; a private project's are for
# the reader that was let in only (no shared cache, nginx's or a CDN's, may keep them).
PUBLIC_FILE_CACHE = "public, max-age=31536000, immutable"
PRIVATE_FILE_CACHE = "private, max-age=31536000, immutable"


def download(request, path):
    is_metadata = path.endswith(METADATA_SUFFIX) and not path.endswith(".whl")
    file_path = path[: -len(METADATA_SUFFIX)] if is_metadata else path
    try:
        found = lookup.public_file(file_path, reader_for(request))
    except CredentialsRefused as refused:
        return refusal_response(refused)
    if found is None or (is_metadata and not found[0].has_metadata):
        raise Http404("No such file.")
    file, project = found
    served_path = file.metadata_path if is_metadata else file.path
    response = deliver(
        served_path, file.filename + (METADATA_SUFFIX if is_metadata else ""), is_metadata, private=project.is_private
    )
    # Counted where the bytes go out: here when Django sends them or the object store's URL;
    # with x-accel-redirect this is nginx's may-serve check and nginx's log counts the download.
    if (
        not is_metadata
        and request.method == "GET"
        and settings.FILE_DELIVERY != "x-accel-redirect"
        and response.status_code in (200, 302)
    ):
        downloadlog.record(request.path, request.META.get("HTTP_USER_AGENT", ""))
    return response


def deliver(storage_path, filename, is_metadata, *, private=False):
    """Send stored bytes the way settings.FILE_DELIVERY says (Django, nginx or object store).
    A private project's file is never kept by a shared cache and leaves the object store only
    through a presigned URL, whatever the bucket's URLs are otherwise."""
    content_type = "text/plain; charset=utf-8" if is_metadata else "application/octet-stream"
    mode = settings.FILE_DELIVERY
    if mode == "x-accel-redirect":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.FILE_DELIVERY_ACCEL_PREFIX + storage_path
        if private:
            # deploy/nginx.conf: this "yes" is for this request only (and so are its credentials).
            response["X-Accel-Expires"] = "0"
        elif settings.EDGE_CACHE_SECONDS:
            # deploy/nginx.conf keeps this "yes" that long; quarantine and deletion purge it.
            response["X-Accel-Expires"] = str(settings.EDGE_CACHE_SECONDS)
    elif mode == "redirect":
        # A private bucket's URL is presigned and expires (S3_URL_EXPIRY_SECONDS), and a
        # quarantine must stop new downloads: neither may be kept by a cache, unlike the bytes.
        url = signed_url(storage_path) if private else package_storage().url(storage_path)
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "no-store"
        return response
    else:
        storage = package_storage()
        try:
            handle = storage.open(storage_path, "rb")
        except FileNotFoundError:
            raise Http404("The file is missing from storage.") from None
        # FileResponse sets Content-Length from the open handle (no second stat).
        response = FileResponse(handle, content_type=content_type)
    if not is_metadata:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = PRIVATE_FILE_CACHE if private else PUBLIC_FILE_CACHE
    return response
