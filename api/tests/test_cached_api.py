"""The cached APIs answer alike (api/cached.py), and every URL naming a project redirects other
spellings of the name the same way (packages/canonical.py)."""

import pytest

from devtools.publish import publish

JSON_V1 = "application/vnd.pypi.simple.v1+json"
CACHE_CONTROL = "public, max-age=0, must-revalidate"

# (url, Accept, what Vary names)
DOCUMENTS = [
    ("/simple/", "text/html", "Accept, Accept-Encoding"),
    ("/simple/same-pkg/", "text/html", "Accept, Accept-Encoding"),
    ("/simple/same-pkg/", JSON_V1, "Accept, Accept-Encoding"),
    ("/pypi/same-pkg/json", "application/json", "Accept-Encoding"),
    ("/pypi/same-pkg/1.0/json", "application/json", "Accept-Encoding"),
]


@pytest.fixture
def project(user):
    return publish(user, "same-pkg", "1.0").project


@pytest.mark.parametrize("url,accept,vary", DOCUMENTS)
@pytest.mark.parametrize("encoding", ["identity", "gzip", "br"])
def test_a_304_repeats_the_headers_of_the_200_it_stands_for(client, project, url, accept, vary, encoding):
    full = client.get(url, HTTP_ACCEPT=accept, HTTP_ACCEPT_ENCODING=encoding)
    assert full.status_code == 200 and full.getvalue()
    # /simple/ is kept in gzip only (its pieces are updated one by one; api/simple/index_store.py).
    served = "identity" if (url, encoding) == ("/simple/", "br") else encoding
    assert full.get("Content-Encoding", "identity") == served
    again = client.get(url, HTTP_ACCEPT=accept, HTTP_ACCEPT_ENCODING=encoding, HTTP_IF_NONE_MATCH=full["ETag"])
    assert again.status_code == 304 and again.content == b""
    assert "Content-Type" not in again and "Content-Encoding" not in again
    for response in (full, again):
        assert response["ETag"] == full["ETag"]
        assert response["X-PyPI-Last-Serial"] == full["X-PyPI-Last-Serial"]
        assert response["Vary"] == vary
        assert response["Cache-Control"] == CACHE_CONTROL
        assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "url,target",
    [
        ("/simple/Same_Pkg/?format=json", "/simple/same-pkg/?format=json"),
        ("/pypi/Same.Pkg/json?x=1", "/pypi/same-pkg/json?x=1"),
        ("/pypi/SAME_PKG/json/", "/pypi/same-pkg/json"),
        ("/pypi/same__pkg/1.0/json", "/pypi/same-pkg/1.0/json"),
    ],
)
def test_api_redirects_to_the_normalized_name_are_cors_and_revalidated(client, project, url, target):
    response = client.get(url)
    assert (response.status_code, response["Location"]) == (301, target)
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Cache-Control"] == CACHE_CONTROL


@pytest.mark.parametrize(
    "url,target",
    [
        ("/project/Same_Pkg/", "/project/same-pkg/"),
        ("/project/Same_Pkg/?tab=files", "/project/same-pkg/?tab=files"),
        ("/project/same.pkg/1.0/?x=1", "/project/same-pkg/1.0/?x=1"),
    ],
)
def test_pages_redirect_to_the_normalized_name_keeping_the_query(client, project, url, target):
    response = client.get(url)
    assert (response.status_code, response["Location"]) == (301, target)


@pytest.mark.parametrize("url", ["/pypi/no-such-pkg/json", "/pypi/same-pkg/9.9/json"])
def test_json_not_found_is_cors_and_revalidated(client, project, url):
    response = client.get(url)
    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == "*" and response["Cache-Control"] == CACHE_CONTROL
