"""Render a release's long description to safe HTML.

readme-renderer turns Markdown / reStructuredText / plain text into HTML (as pypi.org does),
then nh3 (a maintained sanitizer) keeps only an allowlist of tags, attributes and URL schemes.
We never write our own sanitizer.
"""
import hashlib
from email.message import Message

import nh3
import readme_renderer.markdown
import readme_renderer.rst
import readme_renderer.txt
from django.core.cache import cache
from django.utils.safestring import mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "acronym", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del",
    "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "ins", "kbd", "li", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strike", "strong", "sub",
    "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "tt", "u", "ul", "var",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "*": {"id", "class", "title", "lang", "align"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "type"},
    "pre": {"lang"},
    "code": {"lang"},
    "details": {"open"},
}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
CACHE_SECONDS = 24 * 3600


def parse_content_type(content_type):
    """('text/markdown', 'GFM') style pair; the core-metadata default is reStructuredText."""
    message = Message()
    message["content-type"] = content_type or "text/x-rst"
    return message.get_content_type(), message.get_param("variant") or "GFM"


def _render_unsafe(text, content_type):
    kind, variant = parse_content_type(content_type)
    if kind == "text/markdown":
        html = readme_renderer.markdown.render(text, variant=variant if variant in ("GFM", "CommonMark") else "GFM")
    elif kind == "text/plain":
        html = readme_renderer.txt.render(text)
    else:
        html = readme_renderer.rst.render(text)
    # rST that fails to render (e.g. a `raw` directive, which readme-renderer disables) is shown as plain text.
    return html if html is not None else readme_renderer.txt.render(text)


def sanitize(html):
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="nofollow noopener ugc",
        strip_comments=True,
    )


def render_description(text, content_type=""):
    """Safe HTML for a README (marked safe for templates); cached by content, since rendering is slow."""
    if not text or not text.strip():
        return ""
    digest = hashlib.sha256(f"{content_type}\0{text}".encode()).hexdigest()
    key = f"readme:v1:{digest}"
    html = cache.get(key)
    if html is None:
        html = sanitize(_render_unsafe(text, content_type))
        cache.set(key, html, CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - sanitized by nh3 just above
