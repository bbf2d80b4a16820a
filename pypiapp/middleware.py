from django.http import FileResponse
from django.middleware.gzip import GZipMiddleware


class GZipPagesMiddleware(GZipMiddleware):
    """Django's gzip for pages, but never for file downloads.

    Wheels and sdists are compressed archives already, and metadata files are a few hundred
    bytes; gzipping them on the fly cost CPU per download, dropped their Content-Length (so
    a truncated download can't be told from a complete one) and turned off sendfile.
    Simple pages and JSON API documents arrive compressed once per change (api/pagecache.py)
    and are skipped by the parent class because they carry Content-Encoding.
    """

    def process_response(self, request, response):
        if isinstance(response, FileResponse):
            return response
        return super().process_response(request, response)
