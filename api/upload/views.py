import logging

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from core import metrics

from .errors import UploadError
from .help_text import SECTIONS, limits_summary
from .pipeline import handle_upload

logger = logging.getLogger("index.upload")


@csrf_exempt  # token-authenticated API endpoint, not a browser form
def upload(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return UploadError(
            "This is the upload endpoint: POST a file with twine (twine upload --repository-url <this URL> dist/*).",
            status=405,
            code="method",
        ).response(request)
    try:
        message = handle_upload(request)
    except UploadError as exc:
        refused(request, exc)
        return exc.response(request)
    return HttpResponse(message, content_type="text/plain; charset=utf-8")


@require_GET
def release_link(request: HttpRequest, name: str, version: str) -> HttpResponseRedirect:
    """hatch prints `<upload URL>/<project>/<version>/` after an upload: send people to the release."""
    return HttpResponseRedirect(reverse("release_detail", kwargs={"name": name, "version": version}))


@require_GET
def help_page(request: HttpRequest) -> HttpResponse:
    """The page upload errors link to: one anchor per rule."""
    sections = format_html_join(
        "\n",
        '<section id="{}"><h2><a href="#{}">{}</a></h2><p>{}</p></section>',
        ((anchor, anchor, title, text) for anchor, title, text in SECTIONS),
    )
    page = format_html(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Upload rules</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
        "<body><h1>Upload rules</h1><p>{}</p>{}</body></html>",
        limits_summary(),
        sections,
    )
    return HttpResponse(page)


def refused(request: HttpRequest, exc: UploadError) -> None:
    """The refusal's metric and log line (code and field; the request id comes with the record)."""
    metrics.upload_refused(exc.code)
    logger.info("upload refused: %s", exc.code, extra={"code": exc.code, "field": exc.field, "status": exc.status})
