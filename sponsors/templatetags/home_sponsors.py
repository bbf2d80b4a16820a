from django import template

from sponsors.services import active_sponsors

register = template.Library()


@register.simple_tag
def home_page_sponsors():
    return [sponsor for sponsor in active_sponsors() if sponsor.on_home_page]
