"""Issue 14: Author-email and Maintainer-email are RFC 822 address lists, read as pypi.org
reads them: every entry must be a valid address; an empty or unparsable entry is refused
(it used to be skipped, so '<>' or 'a@example.com,,' went through)."""

import pytest

from packages.models import Release

from .upload_support import post, snapshot, wheel

REFUSED = [
    "<>",
    "@",
    "a@example.com,,",
    "x@example.com <",
    "a@example.com\nBcc: b@example.com",
    "Someone <not-an-address>",
    "a@@example.com",
    "Name <a@example.com> trailing",
    "plain words",
    "a@example.com, b@",
]
ACCEPTED = [
    "a@example.com",
    "A. Person <a.person@example.com>",
    "a@example.com, B <b@example.org>",
    '"Last, First" <first.last@example.com>',
]


@pytest.mark.parametrize("field", ["author_email", "maintainer_email"])
@pytest.mark.parametrize("value", REFUSED)
def test_an_invalid_address_list_is_refused(ctx, field, value):
    before = snapshot()
    filename, data = wheel(version="2.0")
    response = post(ctx.client, ctx.token, filename, data, **{field: value})
    label = "Author-email" if field == "author_email" else "Maintainer-email"
    assert response.status_code == 400, value
    assert f"invalid value for {label}" in response.reason_phrase
    assert snapshot() == before


@pytest.mark.parametrize("value", ACCEPTED)
def test_valid_address_lists_are_accepted(ctx, value):
    filename, data = wheel(version="2.0")
    response = post(ctx.client, ctx.token, filename, data, author_email=value, maintainer_email=value)
    assert response.status_code == 200, response.reason_phrase
    assert Release.objects.get(project=ctx.existing, version="2.0").author_email == value
