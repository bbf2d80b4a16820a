from django.utils.functional import SimpleLazyObject

from .services import active_sponsors


def footer_sponsors(request):
    """The footer's sponsors, looked up only when a page's template shows them."""
    return {"footer_sponsors": SimpleLazyObject(lambda: [s for s in active_sponsors() if s.in_footer])}
