"""Private projects with the real clients (issue 19): pip and uv install one with a read token in
the index URL; without it, or with another organization's token, pip finds no such project; twine
cannot upload with a read token; and behind the real deploy/nginx.conf a private page or file is
never served from nginx's caches to a request that may not have it, even right after one that
could."""

import base64
import urllib.error
import urllib.parse
import urllib.request

import pytest

from devtools.dists import write_dists
from devtools.testing import clients
from devtools.testing.private import private_world

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

JSON_V1 = "application/vnd.pypi.simple.v1+json"


@pytest.fixture
def world(transactional_db):
    return private_world("e2e-", version="1.2.0")


def _with_token(base_url, token):
    scheme, _, rest = base_url.partition("://")
    return f"{scheme}://__token__:{token}@{rest}/simple/"


def _output(result):
    return result.stdout + result.stderr


def test_pip_and_uv_install_it_with_a_read_token_and_find_nothing_without_one(index_url, world, tmp_path):
    name = world.project.name
    module = name.replace("-", "_")
    for who in ("member", "maintainer"):
        target = tmp_path / f"pip-{who}"
        result = clients.pip_install(_with_token(index_url, world.tokens[who]), [name], target)
        assert result.returncode == 0, _output(result)
        assert clients.import_version(target, module) == "1.2.0"
    target = tmp_path / "uv"
    result = clients.uv_install(_with_token(index_url, world.tokens["member"]), [name], target)
    assert result.returncode == 0, _output(result)
    assert clients.import_version(target, module) == "1.2.0"

    for url in (f"{index_url}/simple/", _with_token(index_url, world.tokens["outsider"])):
        result = clients.pip_install(url, [name], tmp_path / "refused")
        assert result.returncode != 0
        assert f"No matching distribution found for {name}" in _output(result)
        assert "401" not in _output(result) and "403" not in _output(result)
    result = clients.uv_install(f"{index_url}/simple/", [name], tmp_path / "uv-refused")
    assert result.returncode != 0 and "not found in the package registry" in _output(result)


def test_pip_and_uv_read_the_token_from_netrc(index_url, world, tmp_path):
    netrc = tmp_path / "netrc"
    host = urllib.parse.urlsplit(index_url).hostname  # netrc names the machine without a port
    netrc.write_text(f"machine {host}\nlogin __token__\npassword {world.tokens['member']}\n")
    netrc.chmod(0o600)
    env = clients.clean_env(NETRC=str(netrc))
    module = world.project.name.replace("-", "_")
    for install, target in ((clients.pip_install, tmp_path / "pip"), (clients.uv_install, tmp_path / "uv")):
        result = install(f"{index_url}/simple/", [world.project.name], target, env=env)
        assert result.returncode == 0, _output(result)
        assert clients.import_version(target, module) == "1.2.0"


def test_a_public_project_installs_with_or_without_a_read_token(index_url, world, tmp_path):
    result = clients.pip_install(_with_token(index_url, world.tokens["member"]), [world.public.name], tmp_path / "a")
    assert result.returncode == 0, _output(result)


def test_twine_refuses_to_upload_with_a_read_token(index_url, world, tmp_path):
    dists = write_dists(tmp_path, world.project.name, "9.0", kinds=("wheel",))
    result = clients.twine_upload(f"{index_url}/legacy/", world.tokens["member"], dists)
    assert result.returncode != 0
    assert "read token; it cannot upload" in _output(result)
    assert not world.project.releases.filter(version="9.0").exists()


def _get(url, auth=None, accept="text/html"):
    headers = {"Accept": accept}
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(f"__token__:{auth}".encode()).decode()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def test_nginx_never_serves_a_private_page_or_file_from_its_caches(front, world):
    token = world.tokens["member"]
    page = f"{front}/simple/{world.project.normalized_name}/"
    for accept in ("text/html", JSON_V1):
        for _ in range(2):  # authorized, twice: never a HIT, never stored
            status, headers, body = _get(page, token, accept)
            assert (status, headers["X-Cache"]) == (200, "BYPASS")
            assert headers["Cache-Control"].startswith("private")
        status, headers, body = _get(page, accept=accept)  # right after: anonymous
        assert status == 404 and headers["X-Cache"] == "MISS"
        assert world.project.name.encode() not in body and b"Top secret" not in body

    wheel = world.wheel
    for _ in range(2):
        status, headers, body = _get(front + wheel.url_path, token)
        assert status == 200 and headers["X-Cache"] == "BYPASS"
        assert headers["Cache-Control"] == "private, max-age=31536000, immutable"
    assert _get(front + wheel.url_path)[0] == 404
    assert _get(front + wheel.url_path + ".metadata")[0] == 404
    assert _get(front + wheel.url_path, world.tokens["outsider"])[0] == 404
    status, headers, _ = _get(front + wheel.url_path, "pypi-nosuch_token")
    assert status == 401 and headers["WWW-Authenticate"].startswith("Basic")


def test_nginx_keeps_public_pages_for_anonymous_requests_only_and_forgets_one_made_private(front, world):
    from packages import services

    page = f"{front}/simple/{world.public.normalized_name}/"
    _get(page)
    assert _get(page)[1]["X-Cache"] == "HIT"
    assert _get(page, world.tokens["member"])[1]["X-Cache"] == "BYPASS"
    wheel = world.public.releases.get().files.get(packagetype="bdist_wheel")
    _get(front + wheel.url_path)
    status, headers, _ = _get(front + wheel.url_path)
    assert (status, headers["X-Cache"]) == (200, "HIT")
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"  # Django's, kept with the answer

    # Made private: the cached page and the cached "yes" for its files are purged after commit.
    world.public.organization = world.org
    world.public.save(update_fields=["organization"])
    services.set_private(world.public, True, world.owner)
    assert _get(page)[0] == 404
    assert _get(front + wheel.url_path)[0] == 404
    assert world.public.normalized_name.encode() not in _get(f"{front}/simple/")[2]
    assert _get(page, world.tokens["member"])[0] == 200


def test_pip_installs_a_private_project_through_nginx_with_a_read_token(front, world, tmp_path):
    target = tmp_path / "target"
    result = clients.pip_install(_with_token(front, world.tokens["member"]), [world.project.name], target)
    assert result.returncode == 0, _output(result)
    assert clients.import_version(target, world.project.name.replace("-", "_")) == "1.2.0"
    result = clients.pip_install(f"{front}/simple/", [world.project.name], tmp_path / "anonymous")
    assert result.returncode != 0 and "No matching distribution" in _output(result)
