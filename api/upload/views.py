from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from .errors import UploadError
from .pipeline import handle_upload


@csrf_exempt  # token-authenticated API endpoint, not a browser form
def upload(request):
    if request.method != "POST":
        return UploadError(
            "This is the upload endpoint: POST a file with twine (twine upload --repository-url <this URL> dist/*).",
            status=405, code="method",
        ).response(request)
    try:
        message = handle_upload(request)
    except UploadError as exc:
        return exc.response(request)
    return HttpResponse(message, content_type="text/plain; charset=utf-8")
