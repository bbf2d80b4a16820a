import mimetypes

from django.conf import settings
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .models import Sponsor, SponsorsPage, media_storage
from .services import active_sponsors, by_level


@require_safe
def sponsors_page(request):
    text = SponsorsPage.objects.first()
    paragraphs = [p.strip() for p in (text.how_to_sponsor if text else "").split("\n\n") if p.strip()]
    context = {
        "levels": by_level([s for s in active_sponsors() if s.on_sponsors_page]),
        "how_to_sponsor": paragraphs,
        "contact": settings.SPONSORS_CONTACT_EMAIL,
    }
    return render(request, "sponsors/sponsors.html", context)


@require_safe
def logo(request, name):
    """A logo from the shared media storage, with its checked type and nothing that could run."""
    sponsor = Sponsor.objects.filter(logo_path=f"sponsors/{name}").first()
    if sponsor is None:
        raise Http404("No such logo.")
    try:
        handle = media_storage().open(sponsor.logo_path, "rb")
    except FileNotFoundError:
        raise Http404("No such logo.") from None
    response = FileResponse(handle, content_type=sponsor.logo_type or mimetypes.guess_type(name)[0])
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "public, max-age=31536000, immutable"  # content-addressed name
    return response
