"""Helpers for the account tests: links in mail, re-authentication (the mail fixtures are in the root conftest.py)."""

import re


def link_in(message, path_fragment):
    """The first URL in a mail body that contains path_fragment."""
    for url in re.findall(r"https?://\S+", message.body):
        if path_fragment in url:
            return url
    raise AssertionError(f"no link with {path_fragment!r} in:\n{message.body}")


def path_of(url):
    return re.sub(r"^https?://[^/]+", "", url)


def reauthenticate(client, password):
    response = client.post("/account/reauthenticate/", {"password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response
