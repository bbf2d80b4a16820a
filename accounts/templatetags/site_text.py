"""Wording helpers for templates: one style for headings and buttons across the site."""

import re

from django import template
from django.utils.html import strip_tags
from django.utils.safestring import mark_safe

register = template.Library()

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")


@register.filter(is_safe=True)
def sentence_case(text):
    """'Add Email Address' -> 'Add email address'. Acronyms (API, TOTP) and words with inner
    capitals (WebAuthn) keep their spelling; only the first word keeps its capital. allauth
    writes its headings and buttons in title case; the site writes them in sentence case."""
    text = " ".join(str(text).split())
    first = True

    def fix(match):
        nonlocal first
        word = match.group(0)
        if first:
            first = False
            return word[:1].upper() + word[1:]
        if word.isupper() or any(c.isupper() for c in word[1:]):
            return word
        return word.lower()

    return mark_safe(_WORD.sub(fix, text)) if text == strip_tags(text) else mark_safe(text)
