"""Uploads are refused until the primary address (allauth's EmailAddress) is verified."""

import pytest
from django.test import Client

from devtools.testing.uploads import upload_wheel as upload

from .support import link_in, path_of

pytestmark = pytest.mark.django_db


def test_unverified_primary_email_blocks_uploads_until_confirmed(client, deliver, outbox, token_for):
    from accounts.models import User

    password = "tulip-orbit-quarry-42"
    with deliver():
        client.post(
            "/account/signup/",
            {"username": "frank", "email": "frank@example.com", "password1": password, "password2": password},
        )
    frank = User.objects.get(username="frank")
    token = token_for(frank)
    refused = upload(Client(), token, "franks-pkg", "1.0")
    assert refused.status_code == 403
    assert "does not have a verified primary email address" in refused.content.decode() + refused.reason_phrase

    with deliver():
        client.post(path_of(link_in(outbox[0], "/account/confirm-email/")))
    accepted = upload(Client(), token, "franks-pkg", "1.0")
    assert accepted.status_code == 200, accepted.content
