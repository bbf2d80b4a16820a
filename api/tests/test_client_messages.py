"""What each publishing client shows a maintainer when the index refuses an upload.

Every client is run for real against the live server: twine, uv, poetry, pdm and hatch each
print the server's whole message (uv reads `code` of the JSON body, the others the reason
phrase). Also the URL mistakes clients make: `/legacy` without its slash, an upload sent to the
simple index, and the release URL hatch prints after an upload.
"""

import json
import sys
import urllib.error
import urllib.request

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tests.factories import UserFactory
from accounts.tokens import issue_token
from devtools.dists import wheel_bytes, write_dists
from devtools.testing import clients
from packages.models import File

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

BAD_CLASSIFIER = "Not :: A :: Classifier"
MESSAGE = f"'{BAD_CLASSIFIER}' is not a valid classifier."


@pytest.fixture
def token(transactional_db):
    return issue_token(UserFactory(username="publisher"), "publish").raw


@pytest.fixture
def bad_project(tmp_path):
    """A project folder with a pyproject.toml and, in dist/, a wheel and sdist the index refuses."""
    project = tmp_path / "project"
    write_dists(project / "dist", "badpkg", "1.0", extra_headers=[("Classifier", BAD_CLASSIFIER)])
    (project / "pyproject.toml").write_text(
        '[project]\nname = "badpkg"\nversion = "1.0"\n'
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n'
    )
    return project


def _isolated_env(home, **extra):
    """No user configuration of any client: a home, config and state folder of the test's own."""
    return clients.clean_env(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
        NO_COLOR="1",
        **extra,
    )


def _publish_commands(upload_url, token, project):
    wheel = str(next((project / "dist").glob("*.whl")))
    bin_dir = clients.BIN
    return {
        "twine": (clients.twine_command(upload_url, token, [wheel]), {}),
        "uv": ([str(bin_dir / "uv"), "publish", "--publish-url", upload_url, "--token", token, wheel], {}),
        "poetry": (
            [str(bin_dir / "poetry"), "publish", "-r", "local", "--no-interaction"],
            {
                "POETRY_REPOSITORIES_LOCAL_URL": upload_url,
                "POETRY_HTTP_BASIC_LOCAL_USERNAME": "__token__",
                "POETRY_HTTP_BASIC_LOCAL_PASSWORD": token,
            },
        ),
        "pdm": (
            [str(bin_dir / "pdm"), "publish", "--no-build", "-r", upload_url, "-u", "__token__", "-P", token],
            {"PDM_USE_VENV": "0", "PDM_PYTHON": sys.executable},
        ),
        "hatch": ([str(bin_dir / "hatch"), "publish", "-r", upload_url, "-u", "__token__", "-a", token, wheel], {}),
    }


@pytest.mark.parametrize("client", ["twine", "uv", "poetry", "pdm", "hatch"])
def test_each_client_prints_the_servers_whole_message(client, index_url, token, bad_project, tmp_path):
    command, extra_env = _publish_commands(f"{index_url}/legacy/", token, bad_project)[client]
    result = clients.run(command, cwd=bad_project, env=_isolated_env(tmp_path / "home", **extra_env))
    output = " ".join((result.stdout + result.stderr).split())  # clients wrap long lines
    assert result.returncode != 0, output
    assert MESSAGE in output, output
    assert not File.objects.exists()


def test_json_error_body_has_pypi_orgs_shape_and_our_code(client, db, token_for, basic_auth):
    """uv asks for JSON; the body says the message where pypi.org does and keeps our code beside it."""
    filename, data = wheel_bytes("badpkg", "1.0", extra_headers=[("Classifier", BAD_CLASSIFIER)])
    response = client.post(
        "/legacy/",
        {
            ":action": "file_upload",
            "protocol_version": "1",
            "metadata_version": "2.1",
            "name": "badpkg",
            "version": "1.0",
            "filetype": "bdist_wheel",
            "pyversion": "py3",
            "classifiers": BAD_CLASSIFIER,
            "content": SimpleUploadedFile(filename, data),
        },
        HTTP_AUTHORIZATION=basic_auth("__token__", token_for(UserFactory())),
        HTTP_ACCEPT="application/json",
    )
    body = json.loads(response.content)
    assert response.status_code == 400
    assert body["message"].startswith(MESSAGE)
    assert body["code"] == f"400 {body['message']}"
    assert body["title"] == "Bad Request"
    assert body["error_code"] == "unknown_classifier" and body["field"] == "classifiers"


def test_upload_url_without_the_slash_works_for_twine_and_uv(index_url, token, tmp_path):
    dists = write_dists(tmp_path / "dist", "noslash", "1.0")
    wheel, sdist = sorted(dists, key=lambda p: p.suffix != ".whl")
    result = clients.twine_upload(f"{index_url}/legacy", token, [wheel])
    assert result.returncode == 0, result.stdout + result.stderr
    result = clients.run(
        [str(clients.BIN / "uv"), "publish", "--publish-url", f"{index_url}/legacy", "--token", token, str(sdist)]
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(File.objects.values_list("filename", flat=True)) == sorted(p.name for p in dists)


def test_an_upload_sent_to_the_simple_index_is_explained(index_url, token, tmp_path):
    """A POST to /simple/ or / is a 405 (uv then suggests the upload URL), never a CSRF page."""
    for path in ("/simple/", "/"):
        request = urllib.request.Request(f"{index_url}{path}", data=b"x", method="POST")
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=10)
        assert refused.value.code == 405, path

    wheel = write_dists(tmp_path / "dist", "wrongurl", "1.0", kinds=("wheel",))[0]
    result = clients.run(
        [str(clients.BIN / "uv"), "publish", "--publish-url", f"{index_url}/simple/", "--token", token, str(wheel)]
    )
    assert result.returncode != 0
    output = " ".join(result.stderr.split())
    assert "simple index URL instead of the upload URL" in output, output
    assert f"Upload to {index_url}/legacy/" in output, output
    assert not File.objects.exists()


def test_the_release_url_hatch_prints_leads_to_the_release_page(index_url, token, tmp_path):
    dists = write_dists(tmp_path / "dist", "hatched", "2.0", kinds=("wheel",))
    result = clients.run(
        [
            str(clients.BIN / "hatch"),
            "publish",
            "-r",
            f"{index_url}/legacy/",
            "-u",
            "__token__",
            "-a",
            token,
            str(dists[0]),
        ],
        env=_isolated_env(tmp_path / "home"),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    printed = f"{index_url}/legacy/hatched/2.0/"
    assert printed in result.stdout + result.stderr
    with urllib.request.urlopen(printed, timeout=10) as response:
        assert response.url == f"{index_url}/project/hatched/2.0/"
        assert b"hatched" in response.read()
