"""Distribution and PEP 658 metadata downloads."""

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect

from packages.storage import package_storage
from stats import downloadlog

from . import lookup

METADATA_SUFFIX = ".metadata"


def download(request, path):
    is_metadata = path.endswith(METADATA_SUFFIX) and not path.endswith(".whl")
    file_path = path[: -len(METADATA_SUFFIX)] if is_metadata else path
    file = lookup.public_file(file_path)
    if file is None or (is_metadata and not file.has_metadata):
        raise Http404("No such file.")
    served_path = file.metadata_path if is_metadata else file.path
    response = deliver(served_path, file.filename + (METADATA_SUFFIX if is_metadata else ""), is_metadata)
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


def deliver(storage_path, filename, is_metadata):
    """Send stored bytes the way settings.FILE_DELIVERY says (Django, nginx or object store)."""
    content_type = "text/plain; charset=utf-8" if is_metadata else "application/octet-stream"
    mode = settings.FILE_DELIVERY
    if mode == "x-accel-redirect":
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.FILE_DELIVERY_ACCEL_PREFIX + storage_path
        if settings.EDGE_CACHE_SECONDS:
            # deploy/nginx.conf keeps this "yes" that long; quarantine and deletion purge it.
            response["X-Accel-Expires"] = str(settings.EDGE_CACHE_SECONDS)
    elif mode == "redirect":
        # A private bucket's URL is presigned and expires (S3_URL_EXPIRY_SECONDS), and a
        # quarantine must stop new downloads: neither may be kept by a cache, unlike the bytes.
        response = HttpResponseRedirect(package_storage().url(storage_path))
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
    # File URLs are content-addressed, so their bytes never change.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
