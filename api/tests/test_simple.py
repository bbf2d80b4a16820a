"""The simple repository API contract: PEP 503, 691, 592, 629, 658/714, 700."""

import json

import pytest

from devtools.publish import publish
from packages import services
from packages.models import File

JSON_V1 = "application/vnd.pypi.simple.v1+json"


@pytest.fixture
def project(user):
    publish(user, "Demo.Pkg", "1.0", requires_python=">=3.8")
    release = publish(user, "Demo.Pkg", "2.0rc1", kinds=("wheel",))
    return release.project


def test_detail_html_has_hashes_metadata_and_requires_python(client, project):
    response = client.get("/simple/demo-pkg/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    body = response.content.decode()
    assert '<meta name="pypi:repository-version" content="1.4">' in body
    wheel = File.objects.get(filename="demo_pkg-1.0-py3-none-any.whl")
    assert f'href="/packages/{wheel.path}#sha256={wheel.sha256_digest}"' in body
    assert 'data-requires-python="&gt;=3.8"' in body
    assert f'data-core-metadata="sha256={wheel.metadata_sha256}"' in body
    assert f'data-dist-info-metadata="sha256={wheel.metadata_sha256}"' in body
    assert "data-yanked" not in body
    assert response["X-PyPI-Last-Serial"] == str(project.last_serial)


def test_detail_json_pep691_and_pep700(client, project):
    response = client.get("/simple/demo-pkg/", HTTP_ACCEPT=JSON_V1)
    assert response.status_code == 200
    assert response["Content-Type"] == JSON_V1
    assert "Accept" in response["Vary"]
    doc = json.loads(response.content)
    assert doc["meta"] == {"api-version": "1.4", "_last-serial": project.last_serial}
    assert doc["name"] == "demo-pkg"
    assert doc["versions"] == ["1.0", "2.0rc1"]
    assert doc["project-status"] == {"status": "active"}
    by_name = {f["filename"]: f for f in doc["files"]}
    wheel = File.objects.get(filename="demo_pkg-1.0-py3-none-any.whl")
    entry = by_name[wheel.filename]
    assert entry["hashes"] == {"sha256": wheel.sha256_digest}
    assert entry["core-metadata"] == {"sha256": wheel.metadata_sha256}
    assert entry["size"] == wheel.size
    assert entry["upload-time"].endswith("Z")
    assert entry["requires-python"] == ">=3.8"
    assert entry["yanked"] is False
    assert by_name["demo_pkg-1.0.tar.gz"]["core-metadata"] is False


@pytest.mark.parametrize(
    "accept,expected",
    [
        ("application/vnd.pypi.simple.v1+json, text/html;q=0.1", JSON_V1),
        ("text/html, application/vnd.pypi.simple.v1+json;q=0.5", "text/html; charset=utf-8"),
        ("application/vnd.pypi.simple.latest+json", JSON_V1),
        ("application/vnd.pypi.simple.v1+html", "application/vnd.pypi.simple.v1+html; charset=utf-8"),
        ("", "text/html; charset=utf-8"),
        ("image/png", "text/html; charset=utf-8"),
    ],
)
def test_content_negotiation(client, project, accept, expected):
    response = client.get("/simple/demo-pkg/", HTTP_ACCEPT=accept)
    assert response["Content-Type"] == expected


def test_format_query_overrides_accept(client, project):
    assert client.get("/simple/demo-pkg/?format=json")["Content-Type"] == JSON_V1
    assert client.get("/simple/demo-pkg/?format=html", HTTP_ACCEPT=JSON_V1)["Content-Type"].startswith("text/html")
    assert client.get("/simple/demo-pkg/?format=xml").status_code == 406


def test_non_normalized_name_redirects_permanently(client, project):
    response = client.get("/simple/Demo.Pkg/?format=json")
    assert response.status_code == 301
    assert response["Location"] == "/simple/demo-pkg/?format=json"


def test_unknown_project_is_404(client, db):
    assert client.get("/simple/nope/").status_code == 404


def test_yanked_release_is_marked_with_reason(client, project, user):
    from django.db import transaction

    release = project.releases.get(version="1.0")
    with transaction.atomic():
        services.yank_release(release, "security hole", user)
    body = client.get("/simple/demo-pkg/").content.decode()
    assert body.count('data-yanked="security hole"') == 2
    files = json.loads(client.get("/simple/demo-pkg/", HTTP_ACCEPT=JSON_V1).content)["files"]
    assert {f["filename"]: f["yanked"] for f in files}["demo_pkg-1.0.tar.gz"] == "security hole"


def test_etag_gives_304_until_the_serial_moves(client, project, user):
    from django.db import transaction

    first = client.get("/simple/demo-pkg/")
    etag = first["ETag"]
    assert client.get("/simple/demo-pkg/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    # The JSON representation has its own tag.
    assert client.get("/simple/demo-pkg/", HTTP_ACCEPT=JSON_V1, HTTP_IF_NONE_MATCH=etag).status_code == 200
    with transaction.atomic():
        services.yank_release(project.releases.get(version="1.0"), "", user)
    assert client.get("/simple/demo-pkg/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_index_lists_public_projects_with_serials(client, project, user):
    from django.db import transaction

    publish(user, "hidden", "1.0", kinds=("wheel",))
    hidden = project.__class__.objects.get(normalized_name="hidden")
    with transaction.atomic():
        services.set_status(hidden, "quarantined", user, "malware")
    html = client.get("/simple/").getvalue().decode()
    assert '<a href="/simple/demo-pkg/">Demo.Pkg</a>' in html
    assert "hidden" not in html
    response = client.get("/simple/", HTTP_ACCEPT=JSON_V1)
    doc = json.loads(response.getvalue())
    assert doc["projects"] == [{"name": "Demo.Pkg", "_last-serial": project.last_serial}]
    assert int(response["X-PyPI-Last-Serial"]) == services.global_serial()
    assert client.get("/simple/hidden/").status_code == 404


def test_files_and_metadata_download(client, project):
    wheel = File.objects.get(filename="demo_pkg-1.0-py3-none-any.whl")
    response = client.get(f"/packages/{wheel.path}")
    assert response.status_code == 200
    assert int(response["Content-Length"]) == wheel.size
    data = b"".join(response.streaming_content)
    import hashlib

    assert hashlib.sha256(data).hexdigest() == wheel.sha256_digest
    metadata = client.get(f"/packages/{wheel.path}.metadata")
    body = b"".join(metadata.streaming_content)
    assert hashlib.sha256(body).hexdigest() == wheel.metadata_sha256
    assert body.startswith(b"Metadata-Version:")
    sdist = File.objects.get(filename="demo_pkg-1.0.tar.gz")
    assert client.get(f"/packages/{sdist.path}.metadata").status_code == 404
    assert client.get(f"/packages/{wheel.path[:-3]}zip").status_code == 404
