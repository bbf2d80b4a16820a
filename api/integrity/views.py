"""PEP 740 provenance: GET /integrity/<project>/<version>/<filename>/provenance (GET/HEAD only:
urls.py wraps it in read_only)."""

from django.http import Http404, HttpResponse

from accounts.readers import CredentialsRefused, reader_for
from packages.models import FileProvenance, Project
from packages.names import normalize_name
from packages.permissions import reader_can_see

from ..cached import refusal_response

MEDIA_TYPE = "application/vnd.pypi.integrity.v1+json"


def provenance(request, name, version, filename):
    try:
        reader = reader_for(request)
    except CredentialsRefused as refused:
        return refusal_response(refused)
    record = (
        FileProvenance.objects.select_related("file__release__project")
        .filter(file__filename=filename, file__release__project__normalized_name=normalize_name(name))
        .exclude(file__release__project__status=Project.Status.QUARANTINED)
        .only(
            "document",
            "file__release__version",
            "file__release__project__is_private",
            "file__release__project__organization",
        )
        .first()
    )
    if record is None or record.file.release.version != version:
        raise Http404("No provenance for this file.")
    project = record.file.release.project
    if not reader_can_see(reader, project):
        raise Http404("No provenance for this file.")
    response = HttpResponse(record.document, content_type=MEDIA_TYPE)
    response["Cache-Control"] = "private, max-age=300" if project.is_private else "public, max-age=300"
    return response
