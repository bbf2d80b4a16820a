"""Uploads are refused until the primary address (allauth's EmailAddress) is verified."""
import base64
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from pypiapp.testing.dists import wheel_bytes

from .conftest import link_in, path_of

pytestmark = pytest.mark.django_db


def upload(client, token, name, version):
    filename, data = wheel_bytes(name, version)
    form = {
        ":action": "file_upload", "protocol_version": "1", "metadata_version": "2.1", "name": name,
        "version": version, "filetype": "bdist_wheel", "pyversion": "py3", "summary": "Tiny",
        "sha256_digest": hashlib.sha256(data).hexdigest(),
        "content": SimpleUploadedFile(filename, data, content_type="application/octet-stream"),
    }
    auth = "Basic " + base64.b64encode(f"__token__:{token}".encode()).decode()
    return client.post("/legacy/", form, HTTP_AUTHORIZATION=auth)


def test_unverified_primary_email_blocks_uploads_until_confirmed(client, deliver, outbox, token_for):
    from accounts.models import User

    password = "tulip-orbit-quarry-42"
    with deliver():
        client.post("/account/signup/", {"username": "frank", "email": "frank@example.com",
                                         "password1": password, "password2": password})
    frank = User.objects.get(username="frank")
    token = token_for(frank)
    refused = upload(Client(), token, "franks-pkg", "1.0")
    assert refused.status_code == 403
    assert "does not have a verified primary email address" in refused.content.decode() + refused.reason_phrase

    with deliver():
        client.post(path_of(link_in(outbox[0], "/account/confirm-email/")))
    accepted = upload(Client(), token, "franks-pkg", "1.0")
    assert accepted.status_code == 200, accepted.content
