"""The one owner of README rendering: content types, the work budget, rendering, sanitizing.

Uploads render a release's long description here once (api/upload/readme.py refuses what
fails) and the HTML is stored on the Release; pages only read it (never render on a view).

readme-renderer turns Markdown / reStructuredText / plain text into HTML as pypi.org (and
`twine check`) does; nh3, a maintained sanitizer, keeps an allowlist of tags, attributes and
URL schemes. `id` is kept (rST section anchors: `#installation` links keep working).

The budget. The renderers are pure Python with inputs that cost far more than their size:
cmark-gfm is quadratic on nested `>` (50 KB took 13 s), docutils took 25 s on 15 MiB and
raises RecursionError on deeply nested lists. Input limits alone can't make that provably
bounded (a depth scan catches `>` and list nesting, not every slow docutils construct), so:
  1. cheap checks first: at most MAX_BYTES of text, and no line nested deeper than
     MAX_NESTING (block quotes `>`, list items by indentation), scanned in one linear pass;
  2. then the rendering runs in a forked child process that is killed after TIME_BUDGET
     seconds; the parent only waits on a pipe. Measured on this machine: the fork, render
     and pipe of a typical 5 KB README take 10-20 ms more than rendering in-process; the
     hostile inputs above are cut at the budget (bench/hostile.py).
A README over the budget is refused at upload with a clear message; it never hangs a worker.
"""

import io
import operator
import os
import pickle
import re
import select
import signal
import time
from collections.abc import Callable
from email.message import Message
from typing import TypeVar

import nh3
import readme_renderer.markdown
import readme_renderer.rst
import readme_renderer.txt

CONTENT_TYPES = ("text/plain", "text/x-rst", "text/markdown")
DEFAULT_CONTENT_TYPE = "text/x-rst"
MARKDOWN_VARIANTS = ("GFM", "CommonMark")
MAX_BYTES = 1024 * 1024  # 1 MiB of README text (pypi.org's largest READMEs are well under it)
MAX_NESTING = 32  # block-quote markers, or a list item's indentation steps, at the start of one line
TIME_BUDGET = 1.0  # seconds for one rendering, then the child is killed

T = TypeVar("T")

ALLOWED_TAGS = set(
    """
    a abbr acronym b blockquote br caption cite code col colgroup dd del details div dl dt em figcaption figure
    h1 h2 h3 h4 h5 h6 hr i img ins kbd li ol p pre q s samp section small span strike strong sub summary sup
    table tbody td tfoot th thead tr tt u ul var
    """.split()
)
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


class ReadmeError(ValueError):
    """The README can't be rendered: `code` is 'bad_content_type', 'too_large' or 'render'."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


def parse_content_type(value: str | None) -> tuple[str, dict[str, str]]:
    """('text/markdown', {'variant': 'GFM', ...}) from a Description-Content-Type, parsed by the
    email package; an empty value is the core-metadata default, reStructuredText."""
    if value is None or not value.strip():
        return DEFAULT_CONTENT_TYPE, {}
    message = Message()
    message["content-type"] = value
    params = message.get_params() or []
    # The email parser falls back to text/plain on garbage: take the type as written.
    return value.split(";", 1)[0].strip().lower(), {key.lower(): val for key, val in params[1:]}


def check_content_type(value: str | None) -> tuple[str, dict[str, str]]:
    """(type, params) for a declared content type, or ReadmeError saying what is wrong."""
    content_type, params = parse_content_type(value)
    if content_type not in CONTENT_TYPES:
        raise ReadmeError(
            f"Invalid description content type '{value}': use one of {', '.join(CONTENT_TYPES)}.", "bad_content_type"
        )
    if params.get("charset", "UTF-8").upper() != "UTF-8":
        raise ReadmeError(f"Invalid description content type '{value}': the charset must be UTF-8.", "bad_content_type")
    variant = params.get("variant")
    if content_type == "text/markdown" and variant is not None and variant not in MARKDOWN_VARIANTS:
        raise ReadmeError(
            f"Invalid description content type '{value}': the markdown variant must be one of "
            f"{', '.join(MARKDOWN_VARIANTS)}.",
            "bad_content_type",
        )
    return content_type, params


def is_empty(text: str | None) -> bool:
    stripped = (text or "").strip()
    return not stripped or stripped == "UNKNOWN"


_QUOTES = re.compile(r"^[ \t]*>[> \t]*", re.MULTILINE)  # single-character classes: linear in sre
_LIST_INDENT = re.compile(r"^[ \t]+(?=(?:[-*+]|[0-9]{1,9}[.)]|#[.)])(?:[ \t]|$))", re.MULTILINE)


def nesting_depth(text: str) -> int:
    """The deepest nesting a line opens: its `>` markers (spaces between them allowed), or, for a
    list item, its indentation in steps of two columns (lists nest by indenting). Two regex
    scans, linear (0.14 s at worst on 1 MiB; a Python loop over lines took 0.3 s on 80,000);
    plain indented text (code, ASCII art) does not count."""
    quotes = max(map(operator.methodcaller("count", ">"), _QUOTES.findall(text)), default=0)
    lists = max(map(len, _LIST_INDENT.findall(text)), default=0) // 2
    return max(quotes, lists)


def check_budget(text: str) -> None:
    """The cheap input limits, before any rendering."""
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        raise ReadmeError(
            f"The description is too large to render: {size} bytes, the limit is {MAX_BYTES}.", "too_large"
        )
    depth = nesting_depth(text)
    if depth > MAX_NESTING:
        raise ReadmeError(
            f"The description nests too deeply to render: {depth} levels of block quotes or "
            f"indentation, the limit is {MAX_NESTING}.",
            "too_large",
        )


def _render_unsafe(text: str, content_type: str, params: dict[str, str]) -> str | None:
    """The renderer's HTML, or None when it refused the text (as `twine check` reports it)."""
    if content_type == "text/markdown":
        return readme_renderer.markdown.render(text, variant=params.get("variant", "GFM"))
    if content_type == "text/plain":
        return readme_renderer.txt.render(text)
    return readme_renderer.rst.render(text, stream=io.StringIO())


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="nofollow noopener ugc",
        strip_comments=True,
    )


_HEADING_TAG = re.compile(r"<(/?)h([1-6])\b")


def demote_headings(html: str) -> str:
    """h1 -> h2 … (h6 stays h6): the page's own h1 is the project's name, the README's headings sit
    below it. Output with no h1 is already demoted, so this is safe to apply twice."""
    if "<h1" not in html:
        return html
    return _HEADING_TAG.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 1, 6)}", html)


def _render_and_sanitize(text: str, content_type: str, params: dict[str, str]) -> str | None:
    try:
        html = _render_unsafe(text, content_type, params)
    except RecursionError:
        return None
    return None if html is None else demote_headings(sanitize(html))


def _in_child(func: Callable[..., T], *args: object) -> tuple[bool, T | None]:
    """func(*args) in a forked child, killed after TIME_BUDGET seconds: (finished, result)."""
    budget = TIME_BUDGET
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, leave without running the parent's exit handlers
        os.close(read_end)
        status = 0
        try:
            payload = pickle.dumps(func(*args))
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(payload)
        except BaseException:  # noqa: BLE001 - whatever failed, the child must only exit
            status = 1
        os._exit(status)
    os.close(write_end)
    chunks, deadline = [], time.monotonic() + budget
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([read_end], [], [], remaining)[0]:
                os.kill(pid, signal.SIGKILL)
                return False, None
            chunk = os.read(read_end, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
        os.waitpid(pid, 0)
    data = b"".join(chunks)
    return (True, pickle.loads(data)) if data else (True, None)  # noqa: S301 - our own child's bytes


def render(text: str, content_type: str | None = "") -> str:
    """Sanitized HTML for a README, within the budget. Raises ReadmeError when the content type
    is wrong, the text is over the limits or the time budget, or the renderer refuses it."""
    kind, params = check_content_type(content_type)
    if is_empty(text):
        return ""
    check_budget(text)
    finished, html = _in_child(_render_and_sanitize, text, kind, params)
    if not finished:
        raise ReadmeError(f"The description took longer than {TIME_BUDGET} seconds to render.", "too_large")
    if html is None:
        raise ReadmeError("The description failed to render.", "render")
    return html


def render_or_fallback(text: str, content_type: str | None = "") -> str:
    """For a release whose README is already stored (backfill, releases made outside the upload
    path): its HTML, or the text shown as escaped plain text when it can't be rendered."""
    try:
        return render(text, content_type)
    except ReadmeError:
        return sanitize(readme_renderer.txt.render(text[:MAX_BYTES]) or "")


# Warm the renderers up in the parent: their lazy imports (docutils' parsers, writers and
# languages) then happen once here, not in every child (an import in a forked child of a
# threaded process could wait on a lock another thread held at the fork).
_render_and_sanitize("Warm *up*\n\n- a\n", "text/x-rst", {})
_render_and_sanitize("Warm *up*", "text/markdown", {})
