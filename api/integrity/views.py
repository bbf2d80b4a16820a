"""PEP 740 provenance: GET /integrity/<project>/<version>/<filename>/provenance (GET/HEAD only:
urls.py wraps it in read_only)."""

from django.http import Http404, HttpResponse

from packages.models import FileProvenance, Project
from packages.names import normalize_name

MEDIA_TYPE = "application/vnd.pypi.integrity.v1+json"


def provenance(request, name, version, filename):
    record = (
        FileProvenance.objects.select_related("file__release")
        .filter(file__filename=filename, file__release__project__normalized_name=normalize_name(name))
        .exclude(file__release__project__status=Project.Status.QUARANTINED)
        .only("document", "file__release__version")
        .first()
    )
    if record is None or record.file.release.version != version:
        raise Http404("No provenance for this file.")
    response = HttpResponse(record.document, content_type=MEDIA_TYPE)
    response["Cache-Control"] = "public, max-age=300"
    return response
