"""Issue 14: the upload is judged as the client sent it, before Django's multipart parser
makes it presentable: file names with path separators or control characters are refused
(never cut to their base name), fields that are not UTF-8 or carry NUL are refused (never
stored with U+FFFD), and credentials with control characters never reach the database."""

import base64

import pytest

from packages.models import File

from .upload_support import auth, digests_of, snapshot, wheel

BOUNDARY = b"----hostile-boundary"


def multipart(fields, filename, data):
    """A raw multipart body: `fields` is [(name bytes, value bytes)], the file name is sent as given."""
    parts = []
    for name, value in fields:
        parts.append(b"--" + BOUNDARY + b'\r\nContent-Disposition: form-data; name="' + name + b'"\r\n\r\n' + value)
    parts.append(
        b"--"
        + BOUNDARY
        + b'\r\nContent-Disposition: form-data; name="content"; filename="'
        + filename
        + b'"\r\nContent-Type: application/octet-stream\r\n\r\n'
        + data
    )
    return b"\r\n".join(parts) + b"\r\n--" + BOUNDARY + b"--\r\n"


def send(client, token, filename=None, *, fields=(), drop=(), authorization=None):
    name, data = wheel(version="2.0")
    base = {
        b":action": b"file_upload",
        b"protocol_version": b"1",
        b"metadata_version": b"2.1",
        b"name": b"existing-pkg",
        b"version": b"2.0",
        b"filetype": b"bdist_wheel",
        b"pyversion": b"py3",
        b"summary": b"A tiny test package",
        b"sha256_digest": digests_of(data)["sha256_digest"].encode(),
    }
    base.update(dict(fields))
    body = multipart([(k, v) for k, v in base.items() if k not in drop], filename or name.encode(), data)
    return client.generic(
        "POST",
        "/legacy/",
        body,
        content_type="multipart/form-data; boundary=" + BOUNDARY.decode(),
        HTTP_AUTHORIZATION=authorization or auth(token),
    )


@pytest.mark.parametrize("prefix", [b"../", b"dist/", b"/tmp/", b"..\\", b"C:\\dist\\", b"a/../"])
def test_a_file_name_with_a_path_separator_is_refused_not_cut_to_its_base_name(ctx, prefix):
    before = snapshot()
    response = send(ctx.client, ctx.token, prefix + b"existing_pkg-2.0-py3-none-any.whl")
    assert response.status_code == 400
    assert response.reason_phrase == "Cannot upload a file with '/' or '\\' in the name."
    assert snapshot() == before


@pytest.mark.parametrize("char", [b"\x00", b"\x01", b"\x1b", b"\x7f", b"\xc2\x85"])
def test_a_file_name_with_a_control_character_is_refused(ctx, char):
    before = snapshot()
    response = send(ctx.client, ctx.token, b"existing_pkg-2.0-py3-none-any" + char + b".whl")
    assert response.status_code == 400 and "control characters" in response.reason_phrase
    assert snapshot() == before


def test_a_file_name_that_is_not_utf8_is_refused(ctx):
    # Django's parser skips a part whose headers are not UTF-8: the upload then has no file.
    before = snapshot()
    response = send(ctx.client, ctx.token, b"existing_pkg-2.0-py3-none-any\xff.whl")
    assert response.status_code == 400
    assert snapshot() == before


def test_the_sent_name_is_the_stored_name(ctx):
    response = send(ctx.client, ctx.token)
    assert response.status_code == 200, response.reason_phrase
    assert File.objects.filter(filename="existing_pkg-2.0-py3-none-any.whl").exists()


@pytest.mark.parametrize("field", [b"summary", b"author", b"description", b"name", b"classifiers"])
def test_a_field_that_is_not_utf8_is_refused_not_stored_with_replacement_characters(ctx, field):
    before = snapshot()
    response = send(ctx.client, ctx.token, fields=[(field, b"caf\xe9 latin-1")])
    assert response.status_code == 400
    assert (
        response.reason_phrase == f"The form field '{field.decode()}' is not valid UTF-8: send every field "
        "encoded as UTF-8."
    )
    assert snapshot() == before


def test_a_valid_utf8_field_with_a_replacement_character_is_kept(ctx):
    response = send(ctx.client, ctx.token, fields=[(b"summary", "caf\u00e9 \ufffd".encode())])
    assert response.status_code == 200, response.reason_phrase
    assert File.objects.get(filename="existing_pkg-2.0-py3-none-any.whl").release.summary == "caf\u00e9 \ufffd"


@pytest.mark.parametrize("field", [b"summary", b"description", b"author_email", b"sha256_digest", b"version"])
def test_a_field_with_nul_is_refused(ctx, field):
    before = snapshot()
    response = send(ctx.client, ctx.token, fields=[(field, b"a\x00b")])
    assert response.status_code == 400 and "NUL" in response.reason_phrase
    assert snapshot() == before


def test_a_body_that_is_not_multipart_is_a_400(ctx):
    response = ctx.client.post(
        "/legacy/",
        {":action": "file_upload"},
        content_type="application/x-www-form-urlencoded",
        HTTP_AUTHORIZATION=auth(ctx.token),
    )
    assert response.status_code == 400 and "multipart/form-data" in response.reason_phrase


@pytest.mark.parametrize(
    "credentials", ["__token__:pypi-\x00abc", "__token__:pypi-abc\x00", "al\x00ice:password", "__token__:pypi-\x1bx"]
)
def test_credentials_with_control_characters_are_a_403_never_a_database_lookup(ctx, credentials, settings):
    settings.UPLOAD_ALLOW_PASSWORD_AUTH = True
    header = "Basic " + base64.b64encode(credentials.encode()).decode()
    response = send(ctx.client, ctx.token, authorization=header)
    assert response.status_code == 403 and response.reason_phrase == "Malformed HTTP Basic authorization header."
