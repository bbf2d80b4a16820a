"""The real bandersnatch mirrors the index over TLS: a full run, then an incremental run that
fetches exactly the projects that changed, then pip installs from the mirror."""

import hashlib
import json
import re
import subprocess

import pytest
from django.db import transaction

from accounts.tests.factories import UserFactory
from devtools.publish import publish
from devtools.testing.clients import clean_env, import_version, pip_install
from devtools.testing.servers import AppServer, LocalCA
from packages import services
from packages.models import File, Project, Release

from .mirror_support import bandersnatch_config, bandersnatch_executable

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def bandersnatch():
    exe, detail = bandersnatch_executable()
    if exe is None:
        pytest.skip(detail)
    if detail:
        print(f"installed bandersnatch into its own venv in {detail:.1f}s")
    return exe


@pytest.fixture(scope="module")
def tls_index(django_db_setup, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("tls")
    server = AppServer(workdir, tls=LocalCA(workdir), access_log=True).start()
    yield server
    server.stop()


def run_mirror(bandersnatch, server, workdir, run_name):
    diff = workdir / f"diff-{run_name}.txt"
    config = bandersnatch_config(workdir / "bandersnatch.conf", server.url, workdir / "mirror", diff)
    env = clean_env(SSL_CERT_FILE=str(server.tls.ca_file), REQUESTS_CA_BUNDLE=str(server.tls.ca_file))
    started_at = server.access_log_size()
    result = subprocess.run(
        [str(bandersnatch), "-c", str(config), "mirror"], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Error syncing package" not in result.stderr, result.stderr
    changed = diff.read_text().splitlines() if diff.exists() else []
    return server.requested_paths(started_at), changed


def json_fetches(paths):
    return sorted({m.group(1) for p in paths if (m := re.fullmatch(r"/pypi/([^/]+)/json", p))})


def simple_page_files(mirror, name):
    html = (mirror / "web" / "simple" / name / "index.html").read_text()
    return sorted(re.findall(r">([^<]+)</a>", html)), html


def mirrored_file(mirror, file):
    return mirror / "web" / "packages" / file.path


def expected_files(name):
    return sorted(File.objects.filter(release__project__normalized_name=name).values_list("filename", flat=True))


def test_bandersnatch_full_then_incremental_then_pip(bandersnatch, tls_index, transactional_db, tmp_path):
    owner = UserFactory(username="mirror-owner")
    publish(owner, "mirror-a", "1.0")
    publish(owner, "mirror-b", "1.0")
    publish(owner, "mirror-b", "2.0", kinds=("wheel",))
    publish(owner, "mirror-d", "1.0", requires_python=">=3.8")
    yanked = publish(owner, "mirror-d", "1.1", kinds=("wheel",))
    with transaction.atomic():
        services.yank_release(yanked, "bad wheel", owner)
    mirror = tmp_path / "mirror"

    # 1. Full mirror: every project, every file byte-for-byte, PEP 658 metadata, yank marks.
    paths, _ = run_mirror(bandersnatch, tls_index, tmp_path, "full")
    assert json_fetches(paths) == ["mirror-a", "mirror-b", "mirror-d"]
    for name in ("mirror-a", "mirror-b", "mirror-d"):
        assert simple_page_files(mirror, name)[0] == expected_files(name)
    for file in File.objects.all():
        local = mirrored_file(mirror, file)
        assert hashlib.sha256(local.read_bytes()).hexdigest() == file.sha256_digest
        assert (local.parent / (local.name + ".metadata")).exists() == file.has_metadata
    _, d_html = simple_page_files(mirror, "mirror-d")
    assert 'data-yanked="bad wheel"' in d_html and 'data-requires-python="&gt;=3.8"' in d_html
    serial_after_full = int((mirror / "status").read_text())
    assert serial_after_full == max(Project.objects.values_list("last_serial", flat=True))
    saved = json.loads((mirror / "web" / "json" / "mirror-a").read_text())
    assert saved["last_serial"] == Project.objects.get(name="mirror-a").last_serial
    d_page_before = (mirror / "web" / "simple" / "mirror-d" / "index.html").read_text()

    # 2. Changes: a new release, a new project and a deleted release.
    publish(owner, "mirror-a", "1.1")
    publish(owner, "mirror-e", "0.1", kinds=("wheel",))
    deleted = list(File.objects.filter(release__project__name="mirror-b", release__version="1.0"))
    with transaction.atomic():
        services.delete_release(Release.objects.get(project__name="mirror-b", version="1.0"), owner)

    # 3. Incremental run: only the changed projects are fetched, only new files downloaded.
    paths, changed = run_mirror(bandersnatch, tls_index, tmp_path, "incremental")
    assert json_fetches(paths) == ["mirror-a", "mirror-b", "mirror-e"]
    new_files = File.objects.filter(release__project__name__in=["mirror-a", "mirror-e"]).exclude(release__version="1.0")
    downloaded = sorted(p.rsplit("/", 1)[-1] for p in changed if "/web/packages/" in p)
    expected_downloads = sorted(
        [f.filename for f in new_files] + [f.filename + ".metadata" for f in new_files if f.has_metadata]
    )
    assert downloaded == expected_downloads
    assert simple_page_files(mirror, "mirror-a")[0] == expected_files("mirror-a")
    assert simple_page_files(mirror, "mirror-e")[0] == expected_files("mirror-e")
    b_files, _ = simple_page_files(mirror, "mirror-b")
    assert b_files == expected_files("mirror-b") == ["mirror_b-2.0-py3-none-any.whl"]
    assert not set(b_files) & {f.filename for f in deleted}
    assert (mirror / "web" / "simple" / "mirror-d" / "index.html").read_text() == d_page_before
    assert int((mirror / "status").read_text()) == max(Project.objects.values_list("last_serial", flat=True))

    # 4. pip installs from the mirror alone (file:// index), and the deleted release is gone there.
    index = (mirror / "web" / "simple").as_uri()
    result = pip_install(index, ["mirror-a", "mirror-e"], tmp_path / "target")
    assert result.returncode == 0, result.stdout + result.stderr
    assert import_version(tmp_path / "target", "mirror_a") == "1.1"
    assert import_version(tmp_path / "target", "mirror_e") == "0.1"
    gone = pip_install(index, ["mirror-b==1.0"], tmp_path / "target-b")
    assert gone.returncode != 0
    assert "No matching distribution" in gone.stderr
