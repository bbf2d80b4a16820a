"""Legacy-API uploads as twine sends them: the form fields, the token header, and one upload of a
real wheel through Django's test client (the tests and bench/ build their uploads from these)."""

import base64
import hashlib

from django.core.files.uploadedfile import SimpleUploadedFile

from devtools.dists import wheel_bytes


def token_auth(token):
    """The Authorization header value twine sends with an API token."""
    return "Basic " + base64.b64encode(f"__token__:{token}".encode()).decode()


def legacy_fields(filename, data, *, name, version, filetype=None, pyversion=None, **fields):
    """twine's form fields for `filename` (`data` its bytes), without the file itself; `fields`
    override or (with value None) drop entries. Types and pyversion follow from the filename."""
    if filetype is None:
        filetype = "bdist_wheel" if filename.endswith(".whl") else "sdist"
    if pyversion is None:
        pyversion = filename[:-4].split("-")[-3] if filename.endswith(".whl") else "source"
    form = {
        ":action": "file_upload",
        "protocol_version": "1",
        "metadata_version": "2.1",
        "name": name,
        "version": version,
        "filetype": filetype,
        "pyversion": pyversion,
        "summary": "A tiny test package",
        "sha256_digest": hashlib.sha256(data).hexdigest(),
    }
    form.update(fields)
    return {key: value for key, value in form.items() if value is not None}


def legacy_form(filename, data, **fields):
    """legacy_fields() with the file as `content`, ready for Django's test client."""
    form = legacy_fields(filename, data, **fields)
    form["content"] = SimpleUploadedFile(filename, data, content_type="application/octet-stream")
    return form


def upload_wheel(client, token, name, version, **fields):
    """POST a freshly built wheel of `name` `version` to /legacy/ with an API token; returns the response."""
    filename, data = wheel_bytes(name, version)
    form = legacy_form(filename, data, name=name, version=version, **fields)
    return client.post("/legacy/", form, HTTP_AUTHORIZATION=token_auth(token))
