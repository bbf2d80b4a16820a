"""Helpers for the account tests: mail delivery through on-commit hooks, links in mail, TOTP codes."""
import re

import pytest
from django.core import mail

from devtools.testing.staff import totp_code  # noqa: F401  (the account tests import it from here)


@pytest.fixture
def deliver(django_capture_on_commit_callbacks):
    """`with deliver(): client.post(...)` runs the on-commit hooks (the mail actor) as a real commit would."""

    def ctx():
        return django_capture_on_commit_callbacks(execute=True)

    return ctx


@pytest.fixture
def outbox(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


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
