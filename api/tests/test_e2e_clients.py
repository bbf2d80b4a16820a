"""The main job end to end: twine uploads, pip and uv install, against the live server."""

import subprocess
import sys

import pytest

from accounts.tests.factories import UserFactory
from accounts.tokens import issue_token
from devtools.dists import write_dists
from devtools.testing import clients
from devtools.testing.servers import database_url
from packages.models import File, Project

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def maintainer(transactional_db):
    return UserFactory(username="maint")


def _twine_would_skip(index_url, token, path):
    """Send `path` the way twine does and ask twine's own skip_upload() about the response."""
    from twine.commands.upload import skip_upload
    from twine.package import PackageFile
    from twine.repository import Repository

    package = PackageFile.from_filename(str(path), comment=None)
    repository = Repository(f"{index_url}/legacy/", "__token__", token, disable_progress_bar=True)
    try:
        response = repository.upload(package)
    finally:
        repository.close()
    return response.status_code == 400 and skip_upload(response, True, package)


def _simple(index_url):
    return f"{index_url}/simple/"


def test_upload_with_twine_then_install_with_pip_and_uv(index_url, maintainer, tmp_path):
    account_token = issue_token(maintainer, "account").raw
    dists = write_dists(tmp_path / "v1", "Tiny-Pkg", "0.1.0", requires_python=">=3.8")
    result = clients.twine_upload(f"{index_url}/legacy/", account_token, dists)
    assert result.returncode == 0, result.stdout + result.stderr

    project = Project.objects.get(normalized_name="tiny-pkg")
    assert project.roles.get().user == maintainer  # first upload made the uploader Owner
    assert sorted(File.objects.values_list("filename", flat=True)) == sorted(p.name for p in dists)

    # A later version, uploaded with a token scoped to this project only.
    project_token = issue_token(maintainer, "scoped", project=project).raw
    dists2 = write_dists(tmp_path / "v2", "Tiny-Pkg", "0.2.0")
    result = clients.twine_upload(f"{index_url}/legacy/", project_token, dists2)
    assert result.returncode == 0, result.stdout + result.stderr

    pip_target = tmp_path / "pip-target"
    result = clients.pip_install(_simple(index_url), ["tiny-pkg"], pip_target)
    assert result.returncode == 0, result.stdout + result.stderr
    assert clients.import_version(pip_target, "tiny_pkg") == "0.2.0"

    uv_target = tmp_path / "uv-target"
    result = clients.uv_install(_simple(index_url), ["tiny-pkg==0.1.0"], uv_target)
    assert result.returncode == 0, result.stdout + result.stderr
    assert clients.import_version(uv_target, "tiny_pkg") == "0.1.0"


def test_reupload_rules_and_token_scope(index_url, maintainer, tmp_path):
    token = issue_token(maintainer, "account").raw
    first = write_dists(tmp_path / "a", "reup", "1.0", kinds=("wheel",))
    assert clients.twine_upload(f"{index_url}/legacy/", token, first).returncode == 0

    # The identical file again is a harmless no-op.
    again = clients.twine_upload(f"{index_url}/legacy/", token, first)
    assert again.returncode == 0, again.stdout + again.stderr
    assert File.objects.filter(release__project__normalized_name="reup").count() == 1

    # Same filename, different bytes: refused with the prefix twine --skip-existing relies on.
    different = write_dists(tmp_path / "b", "reup", "1.0", kinds=("wheel",), summary="changed bytes")
    assert different[0].name == first[0].name
    refused = clients.twine_upload(f"{index_url}/legacy/", token, different)
    assert refused.returncode != 0
    assert "File already exists" in refused.stdout + refused.stderr
    # twine 7 allows --skip-existing only for pypi.org URLs, so check its parser on our real response.
    assert _twine_would_skip(index_url, token, different[0])

    # A token scoped to another project is refused, and says why.
    other = Project.objects.get(normalized_name="reup")
    write_dists(tmp_path / "c", "elsewhere", "1.0", kinds=("wheel",))
    scoped = issue_token(maintainer, "scoped", project=other).raw
    refused = clients.twine_upload(f"{index_url}/legacy/", scoped, list((tmp_path / "c").iterdir()))
    assert refused.returncode != 0
    assert "isn't allowed to upload to project 'elsewhere'" in refused.stdout + refused.stderr
    assert not Project.objects.filter(normalized_name="elsewhere").exists()


def test_yanked_release_is_skipped_unless_pinned(index_url, maintainer, tmp_path):
    token = issue_token(maintainer, "account").raw
    for version in ("1.0", "2.0"):
        dists = write_dists(tmp_path / version, "yanky", version, kinds=("wheel",))
        assert clients.twine_upload(f"{index_url}/legacy/", token, dists).returncode == 0

    result = subprocess.run(
        [sys.executable, "manage.py", "yank", "yanky", "2.0", "--reason", "broken build"],
        capture_output=True,
        text=True,
        env=clients.clean_env(DATABASE_URL=database_url()),
    )
    assert result.returncode == 0, result.stderr
    assert "Yanked yanky 2.0" in result.stdout

    target = tmp_path / "unpinned"
    installed = clients.pip_install(_simple(index_url), ["yanky"], target)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert clients.import_version(target, "yanky") == "1.0"

    pinned_target = tmp_path / "pinned"
    pinned = clients.pip_install(_simple(index_url), ["yanky==2.0"], pinned_target)
    assert pinned.returncode == 0, pinned.stdout + pinned.stderr
    assert clients.import_version(pinned_target, "yanky") == "2.0"
    assert "broken build" in pinned.stdout + pinned.stderr  # pip warns with the yank reason
