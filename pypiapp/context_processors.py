from django.conf import settings


def site(request):
    from packages.flags import site_notices

    return {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, "site_notices": site_notices()}
