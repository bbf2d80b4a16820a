"""One legacy-API upload of a real wheel through Django's test client, as twine would send it."""

import base64
import hashlib

from django.core.files.uploadedfile import SimpleUploadedFile

from devtools.dists import wheel_bytes


def upload_wheel(client, token, name, version, **fields):
    """POST a freshly built wheel of `name` `version` to /legacy/ with an API token; returns the response."""
    filename, data = wheel_bytes(name, version)
    form = {
        ":action": "file_upload",
        "protocol_version": "1",
        "metadata_version": "2.1",
        "name": name,
        "version": version,
        "filetype": "bdist_wheel",
        "pyversion": "py3",
        "summary": "Tiny",
        "sha256_digest": hashlib.sha256(data).hexdigest(),
        "content": SimpleUploadedFile(filename, data, content_type="application/octet-stream"),
        **fields,
    }
    auth = "Basic " + base64.b64encode(f"__token__:{token}".encode()).decode()
    return client.post("/legacy/", form, HTTP_AUTHORIZATION=auth)
