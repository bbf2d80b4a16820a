"""Wording helpers for templates: one style for headings and buttons across the site."""

import re

from django import template
from django.utils.html import strip_tags

register = template.Library()

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
# One term each across the site: allauth's words on the left, ours on the right.
SITE_TERMS = [
    ("Sign in", "Log in"),
    ("sign in", "log in"),
    ("Sign up", "Register"),
    ("sign up", "register"),
    ("E-mail", "Email"),
    ("e-mail", "email"),
]


# is_safe: markup in, markup out. A `{% filter %}` block's rendered (escaped) content stays safe;
# a plain string stays plain, so the filter never marks unescaped text safe itself.
@register.filter(is_safe=True)
def sentence_case(text):
    """'Add Email Address' -> 'Add email address'. Acronyms (API, TOTP) and words with inner
    capitals (WebAuthn) keep their spelling; only the first word keeps its capital. allauth
    writes its headings and buttons in title case; the site writes them in sentence case."""
    text = " ".join(str(text).split())
    first = True

    def part_case(part, keep_capital):
        if part.isupper() and len(part) > 1 or any(c.isupper() for c in part[1:]):
            return part  # API, TOTP, WebAuthn
        return part[:1].upper() + part[1:] if keep_capital else part.lower()

    def fix(match):
        nonlocal first
        parts = match.group(0).split("-")
        cased = "-".join(part_case(part, first and i == 0) for i, part in enumerate(parts))
        first = False
        return cased

    if text != strip_tags(text):
        return text
    text = _WORD.sub(fix, text)
    for theirs, ours in SITE_TERMS:
        text = text.replace(theirs, ours)
    return text
