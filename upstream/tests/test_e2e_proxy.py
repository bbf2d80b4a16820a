"""One index URL for private and public packages, with real pip and uv against a live static upstream."""

import base64
import http.client
import os
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.management import call_command

from accounts.tests.factories import UserFactory
from accounts.tokens import issue_token
from devtools.dists import write_dists
from devtools.publish import publish
from devtools.testing import clients
from devtools.testing.nginx import running_front
from devtools.testing.servers import AppServer, RedisServer, get
from packages.models import Project
from packages.storage import package_storage
from stats.models import UpstreamDailyDownloads
from upstream import files
from upstream.models import UpstreamIndex, UpstreamProject

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REQUIREMENTS = ["pub-a", "pub-b", "private-x"]


def _stored(upstream, name):
    return all(
        package_storage().exists(files.storage_path(sha, filename)) for filename, _, sha in upstream.projects[name]
    )


def test_pip_and_uv_install_private_and_public_through_one_url(index_url, settings, upstream, html_upstream, tmp_path):
    settings.UPSTREAM_INDEX_URL = upstream.url  # PEP 691 JSON pages, with PEP 658 metadata files
    UpstreamIndex.objects.create(name="html", url=html_upstream.url, priority=1)  # PEP 503 HTML pages
    user = UserFactory()
    publish(user, "private-x", "1.0", kinds=("wheel",))
    upstream.add("pub-a", "1.0", metadata_file=True)
    html_upstream.add("pub-b", "2.0")
    upstream.add("private-x", "9.0")  # dependency confusion: a higher public version of a private name
    simple = f"{index_url}/simple/"

    result = clients.pip_install(simple, REQUIREMENTS, tmp_path / "pip")
    assert result.returncode == 0, result.stdout + result.stderr
    assert clients.import_version(tmp_path / "pip", "pub_a") == "1.0"
    assert clients.import_version(tmp_path / "pip", "private_x") == "1.0"
    result = clients.uv_install(simple, REQUIREMENTS, tmp_path / "uv")
    assert result.returncode == 0, result.stdout + result.stderr
    assert clients.import_version(tmp_path / "uv", "pub_b") == "2.0"
    assert clients.import_version(tmp_path / "uv", "private_x") == "1.0"
    assert _stored(upstream, "pub-a") and _stored(html_upstream, "pub-b")
    assert any(path.endswith(".metadata") for path in upstream.requests)
    assert not any("private-x" in path or "private_x" in path for path in upstream.requests + html_upstream.requests)

    # The upstreams go away (and this index restarts: the pages come from the database rows).
    upstream.stop()
    html_upstream.stop()
    settings.UPSTREAM_CACHE_SECONDS = 0
    cache.clear()
    result = clients.pip_install(simple, REQUIREMENTS, tmp_path / "pip-offline")
    assert result.returncode == 0, result.stdout + result.stderr
    assert clients.import_version(tmp_path / "pip-offline", "pub_b") == "2.0"
    result = clients.uv_install(simple, REQUIREMENTS, tmp_path / "uv-offline")
    assert result.returncode == 0, result.stdout + result.stderr
    assert clients.import_version(tmp_path / "uv-offline", "pub_a") == "1.0"


def test_tampered_upstream_file_refused_by_the_index(index_url, settings, upstream, tmp_path):
    settings.UPSTREAM_INDEX_URL = upstream.url
    filename = upstream.add("pub-evil", "1.0")
    upstream.tamper(filename)
    result = clients.pip_install(f"{index_url}/simple/", ["pub-evil"], tmp_path / "pip")
    assert result.returncode != 0
    assert "502" in result.stdout + result.stderr
    assert not _stored(upstream, "pub-evil")


def test_local_upload_of_a_cached_upstream_name_is_refused(index_url, settings, upstream, tmp_path):
    settings.UPSTREAM_INDEX_URL = upstream.url
    upstream.add("pub-a", "1.0")
    result = clients.pip_install(f"{index_url}/simple/", ["pub-a"], tmp_path / "pip")
    assert result.returncode == 0, result.stdout + result.stderr

    token = issue_token(UserFactory(), "t").raw
    dists = write_dists(tmp_path / "dists", "pub-a", "5.0")
    result = clients.twine_upload(f"{index_url}/legacy/", token, dists)
    assert result.returncode != 0
    assert "serves from an upstream index" in result.stdout + result.stderr
    assert not Project.objects.filter(normalized_name="pub-a").exists()

    # Released by staff, the name can be taken locally, and then the local project alone is served.
    UpstreamProject.objects.filter(normalized_name="pub-a").update(released_for_local=True)
    result = clients.twine_upload(f"{index_url}/legacy/", token, dists)
    assert result.returncode == 0, result.stdout + result.stderr
    result = clients.pip_install(f"{index_url}/simple/", ["pub-a"], tmp_path / "pip-local")
    assert result.returncode == 0, result.stdout + result.stderr
    assert clients.import_version(tmp_path / "pip-local", "pub_a") == "5.0"


def test_gunicorn_workers_fetch_a_file_once_and_cut_a_bad_stream(settings, upstream, tmp_path):
    """Production's server: two gunicorn workers sharing a Redis of this test's own (the fetch
    lock); a mid-file digest mismatch closes the client's connection short of the whole file."""
    good = upstream.add("pub-g", "1.0")
    _, good_data, good_sha = upstream.projects["pub-g"][0]
    bad = upstream.add("pub-g-evil", "1.0", description=base64.b64encode(os.urandom(2_300_000)).decode())
    _, bad_data, bad_sha = upstream.projects["pub-g-evil"][0]
    upstream.tamper(bad, same_size=True)
    upstream.file_delay = 0.5
    with (
        RedisServer() as redis_server,
        AppServer(tmp_path, env={"REDIS_URL": redis_server.url, "UPSTREAM_INDEX_URL": upstream.url}) as app,
    ):
        for name in ("pub-g", "pub-g-evil"):
            assert get(f"{app.url}/simple/{name}/")[0] == 200
        url = app.url + files.url_path("pub-g", good_sha, good)
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: get(url, timeout=30), range(8)))
        assert [(status, body) for status, _, body in answers] == [(200, good_data)] * 8
        assert upstream.hits(f"/files/{good}") == 1

        parts = urlsplit(app.url + files.url_path("pub-g-evil", bad_sha, bad))
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        try:
            connection.request("GET", parts.path)
            response = connection.getresponse()
            assert response.status == 200
            with pytest.raises(http.client.IncompleteRead) as cut:
                response.read()
            assert len(cut.value.partial) < len(bad_data)
        finally:
            connection.close()
        assert "integrity failure" in app.log_text()
    assert not package_storage().exists(files.storage_path(bad_sha, bad))


def test_through_nginx_a_first_download_streams_then_storage_serves_and_both_count(
    live_server, settings, upstream, tmp_path
):
    """The production layout (deploy/nginx.conf, FILE_DELIVERY=x-accel-redirect): pip's first
    download streams through nginx; uv's comes from storage, handed to nginx by X-Accel-Redirect;
    the download statistics count both, and the project page says where the project comes from."""
    settings.UPSTREAM_INDEX_URL = upstream.url
    log = tmp_path / "downloads.log"
    settings.DOWNLOAD_LOG_PATH, settings.DOWNLOAD_LOG_PATHS = str(log), [str(log)]
    filename = upstream.add("pub-n", "1.0", metadata_file=True)
    (tmp_path / "nginx").mkdir()
    with running_front(live_server.url, tmp_path / "nginx") as front:
        settings.FILE_DELIVERY = "x-accel-redirect"
        result = clients.pip_install(f"{front}/simple/", ["pub-n"], tmp_path / "pip")
        assert result.returncode == 0, result.stdout + result.stderr
        result = clients.uv_install(f"{front}/simple/", ["pub-n"], tmp_path / "uv")
        assert result.returncode == 0, result.stdout + result.stderr
        page = get(f"{front}/project/pub-n/")[2].decode()
    assert clients.import_version(tmp_path / "uv", "pub_n") == "1.0"
    assert upstream.hits(f"/files/{filename}") == 1
    assert "comes from the upstream index <strong>env</strong>" in page
    call_command("update_download_stats")
    counts = {(r.project, r.filename, r.installer): r.count for r in UpstreamDailyDownloads.objects.all()}
    assert counts == {("pub-n", filename, "pip"): 1, ("pub-n", filename, "uv"): 1}
