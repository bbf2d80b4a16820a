from .flags import site_notices


def notices(request):
    """The kill-switch notices staff asked to announce (packages/flags.py), on every page."""
    return {"site_notices": site_notices()}
