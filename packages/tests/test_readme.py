"""README rendering (core/readme.py): every content type renders, and hostile input never yields executable content."""

import re
from html.parser import HTMLParser

import pytest

from core.readme import parse_content_type, render, render_or_fallback
from devtools.publish import publish

HOSTILE_MARKDOWN = """# Title

<script>alert("md-script")</script>
<img src="x" onerror="alert('img')">
<a href="javascript:alert('link')" onclick="alert('click')">click me</a>
[md link](javascript:alert('mdlink'))
[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
<iframe src="https://evil.example/"></iframe>
<svg onload="alert('svg')"><circle r="1"/></svg>
<div style="background:url(javascript:alert(1))" onmouseover="alert('div')">raw html</div>
<form action="https://evil.example/"><input name="x"></form>
<object data="x.swf"></object><embed src="x.swf">
<meta http-equiv="refresh" content="0;url=https://evil.example/">
<style>body{display:none}</style>
<a href="https://example.org/ok">fine link</a>
"""

HOSTILE_RST = """Title
=====

.. raw:: html

   <script>alert("rst-raw")</script>

`bad link <javascript:alert('rst')>`_

Some *text*.
"""

HOSTILE_PLAIN = "<script>alert('plain')</script> & <b onmouseover=x>bold</b>"

DANGEROUS_TAGS = {"script", "iframe", "svg", "object", "embed", "form", "input", "meta", "style", "link", "base"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags = []  # (tag, attrs) of every element start in the output

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def assert_inert(html):
    """No element or attribute in the output can run code, whatever text shows up escaped."""
    parser = _Collector()
    parser.feed(html)
    for tag, attrs in parser.tags:
        assert tag not in DANGEROUS_TAGS, tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert name != "style", tag
            if name in URL_ATTRIBUTES and value:
                scheme = value.strip().lower().split(":", 1)[0] if ":" in value else ""
                assert scheme in ("", "http", "https", "mailto"), (tag, name, value)


@pytest.mark.parametrize(
    "text,content_type",
    [
        (HOSTILE_MARKDOWN, "text/markdown"),
        (HOSTILE_MARKDOWN, "text/markdown; variant=CommonMark"),
        (HOSTILE_RST, "text/x-rst"),
        (HOSTILE_RST, ""),
        (HOSTILE_PLAIN, "text/plain"),
        (HOSTILE_MARKDOWN, "text/html"),  # an unknown type (only on stored releases) is shown as plain text
    ],
)
def test_hostile_readme_renders_without_executable_content(text, content_type):
    html = render_or_fallback(text, content_type)
    assert html.strip()
    assert_inert(html)


def test_markdown_keeps_safe_formatting_and_links():
    html = render(HOSTILE_MARKDOWN, "text/markdown")
    assert "<h2" in html and "Title" in html  # the README's h1, below the page's own
    assert 'href="https://example.org/ok"' in html
    assert 'rel="nofollow noopener ugc"' in html
    assert "raw html" in html  # text of the raw HTML block survives, its attributes do not


def test_rst_raw_directive_falls_back_to_escaped_text():
    html = render_or_fallback(HOSTILE_RST, "text/x-rst")
    assert "&lt;script&gt;" in html  # shown as text, never as markup


def test_rst_renders_normally():
    html = render("Heading\n=======\n\nSome *emphasis* and ``code``.\n", "text/x-rst")
    assert "<em>emphasis</em>" in html and ">code</span>" in html


def test_parse_content_type():
    assert parse_content_type("text/markdown; charset=UTF-8; variant=CommonMark") == (
        "text/markdown",
        {"charset": "UTF-8", "variant": "CommonMark"},
    )
    assert parse_content_type("") == ("text/x-rst", {})


def test_empty_description():
    assert render("", "text/markdown") == ""


@pytest.mark.django_db
def test_hostile_readme_on_the_project_page(client, user):
    publish(
        user, "hostile", "1.0", metadata={"description": HOSTILE_MARKDOWN, "description_content_type": "text/markdown"}
    )
    html = client.get("/project/hostile/").content.decode()
    readme = html.split('id="description"', 1)[1].split("</section>", 1)[0]
    assert "fine link" in readme
    assert_inert(readme)
    # The page's only scripts are our own static files.
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/static/js/copy.js" defer>',
        '<script src="/static/js/tabs.js" defer>',
    ]


def test_readme_headings_sit_below_the_page_title():
    from core.readme import demote_headings, render

    html = render("# Title\n\n## Part\n\n###### Deep\n", "text/markdown")
    assert "<h1" not in html
    assert (
        re.search(r"<h2[^>]*>Title", html) and re.search(r"<h3[^>]*>Part", html) and re.search(r"<h6[^>]*>Deep", html)
    )
    assert demote_headings(html) == html  # applying it again changes nothing
    rst = render("Title\n=====\n\nInstall\n-------\n\ntext\n", "text/x-rst")
    assert "<h1" not in rst and 'id="user-content-install"' in rst  # section anchors survive


@pytest.mark.django_db
def test_project_page_has_a_single_h1(client, user):
    publish(
        user, "titled", "1.0", metadata={"description": "# titled\n\ntext", "description_content_type": "text/markdown"}
    )
    html = client.get("/project/titled/").content.decode()
    assert html.count("<h1") == 1
