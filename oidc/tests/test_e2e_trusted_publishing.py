"""End to end over HTTPS: `uv publish --trusted-publishing always` with no token, from a simulated
GitHub Actions job and GitLab CI jobs, against the index under gunicorn (trustme certificate)
and local OIDC issuers over https with the same CA; then pip installs what was published."""

import re
import sys

import pytest

from accounts.tests.factories import UserFactory
from devtools.dists import write_dists
from devtools.publish import publish
from devtools.testing.clients import BIN, clean_env, import_version, run
from devtools.testing.oidc_issuer import LocalIssuer, github_claims, gitlab_claims
from devtools.testing.servers import AppServer, LocalCA
from oidc import services
from packages.models import File, JournalEntry, Project

pytestmark = pytest.mark.e2e
AUDIENCE = "127.0.0.1"  # the default: the site's host name (SITE_URL)


@pytest.fixture
def stack(transactional_db, tmp_path):
    ca = LocalCA(tmp_path)
    with (
        LocalIssuer(ca.server_context()) as gh,
        LocalIssuer(ca.server_context()) as gl,
        LocalIssuer(ca.server_context()) as generic,
    ):
        app = AppServer(tmp_path, tls=ca, env={"SSL_CERT_FILE": str(ca.ca_file)})
        app.extra_env["SITE_URL"] = app.url
        with app:
            yield ca, app, {"github": gh, "gitlab": gl, "generic": generic}


def uv_publish(app, ca, files, **env):
    return run(
        [
            str(BIN / "uv"),
            "publish",
            "--trusted-publishing",
            "always",
            "--publish-url",
            f"{app.url}/legacy/",
            *map(str, files),
        ],
        env=clean_env(SSL_CERT_FILE=str(ca.ca_file), **env),
    )


def gitlab_env(token):
    """GitLab CI hands the job its ID token in a variable named after the audience (`id_tokens:`
    in .gitlab-ci.yml); uv reads `<AUDIENCE>_ID_TOKEN`, the audience upper-cased with every
    other character than letters and digits replaced by '_'."""
    variable = re.sub(r"[^A-Z0-9]", "_", AUDIENCE.upper()) + "_ID_TOKEN"
    return {"GITLAB_CI": "true", variable: token}


def installed(app, ca, tmp_path, requirement, module):
    target = tmp_path / f"target-{module}"
    result = run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-cache-dir",
            "--index-url",
            f"{app.url}/simple/",
            "--target",
            str(target),
            requirement,
        ],
        env=clean_env(SSL_CERT_FILE=str(ca.ca_file), REQUESTS_CA_BUNDLE=str(ca.ca_file)),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return import_version(target, module)


def check_published(name, publisher, version="1.0"):
    files = File.objects.filter(release__project__normalized_name=name, release__version=version)
    assert sorted(f.packagetype for f in files) == ["bdist_wheel", "sdist"]
    assert {(f.uploader_id, f.published_by) for f in files} == {(None, publisher.label)}
    assert (
        JournalEntry.objects.filter(action__endswith=f"published by trusted publisher {publisher.label}").count() == 2
    )


def test_uv_publishes_from_github_actions_with_no_token_then_pip_installs(stack, tmp_path):
    ca, app, issuers = stack
    gh = issuers["github"]
    owner = UserFactory(username="gh-owner")
    project = publish(owner, "tp-github", "0.1", kinds=("wheel",)).project
    issuer = services.add_issuer("local-github", gh.url, "github")
    publisher = services.add_publisher(
        project, issuer, {"repository": "octo-org/tp-github", "workflow": "release.yml", "environment": "pypi"}, owner
    )
    gh.claims = github_claims("octo-org/tp-github", "release.yml", environment="pypi")
    files = write_dists(tmp_path / "dist", "tp-github", "1.0")

    result = uv_publish(
        app,
        ca,
        files,
        GITHUB_ACTIONS="true",
        ACTIONS_ID_TOKEN_REQUEST_URL=gh.token_request_url,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN=gh.request_token,
    )
    assert result.returncode == 0, result.stdout + result.stderr + app.log_text()
    assert "/token" in gh.requests  # uv asked the simulated Actions runtime for the identity token
    check_published("tp-github", publisher)
    assert installed(app, ca, tmp_path, "tp-github==1.0", "tp_github") == "1.0"
    # uv burned the minted token after publishing: the same token can't be used again.
    from accounts.models import ApiToken

    assert ApiToken.objects.filter(kind="publisher", publisher=publisher, revoked__isnull=False).exists()

    # Another workflow of the same repository matches no publisher: uv fails with our message.
    gh.claims = github_claims("octo-org/tp-github", "other.yml", environment="pypi")
    result = uv_publish(
        app,
        ca,
        write_dists(tmp_path / "dist2", "tp-github", "1.1"),
        GITHUB_ACTIONS="true",
        ACTIONS_ID_TOKEN_REQUEST_URL=gh.token_request_url,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN=gh.request_token,
    )
    assert result.returncode != 0
    assert "no trusted publisher on this index matches" in result.stderr, result.stderr


def test_uv_publishes_from_gitlab_ci_and_from_a_generic_issuer(stack, tmp_path):
    ca, app, issuers = stack
    gl, generic = issuers["gitlab"], issuers["generic"]
    owner = UserFactory(username="gl-owner")
    gl_project = publish(owner, "tp-gitlab", "0.1", kinds=("wheel",)).project
    gen_project = publish(owner, "tp-generic", "0.1", kinds=("wheel",)).project
    gl_publisher = services.add_publisher(
        gl_project,
        services.add_issuer("local-gitlab", gl.url, "gitlab"),
        {"project_path": "group/tp-gitlab", "ci_config": ".gitlab-ci.yml"},
        owner,
    )
    gen_publisher = services.add_publisher(
        gen_project,
        services.add_issuer("local-ci", generic.url, "generic"),
        {"sub": "pipeline:tp-generic:release", "runner": "trusted"},
        owner,
    )

    host = gl.url.split("://", 1)[1]
    gl.claims = gitlab_claims(host, "group/tp-gitlab", ".gitlab-ci.yml")
    result = uv_publish(app, ca, write_dists(tmp_path / "gl", "tp-gitlab", "1.0"), **gitlab_env(gl.token(AUDIENCE)))
    assert result.returncode == 0, result.stdout + result.stderr + app.log_text()
    check_published("tp-gitlab", gl_publisher)

    generic.claims = {"sub": "pipeline:tp-generic:release", "runner": "trusted"}
    result = uv_publish(
        app, ca, write_dists(tmp_path / "gen", "tp-generic", "1.0"), **gitlab_env(generic.token(AUDIENCE))
    )
    assert result.returncode == 0, result.stdout + result.stderr + app.log_text()
    check_published("tp-generic", gen_publisher)
    assert installed(app, ca, tmp_path, "tp-gitlab==1.0", "tp_gitlab") == "1.0"
    assert installed(app, ca, tmp_path, "tp-generic==1.0", "tp_generic") == "1.0"

    # The generic publisher pins every claim it names: another runner is refused.
    generic.claims = {"sub": "pipeline:tp-generic:release", "runner": "shared"}
    result = uv_publish(
        app, ca, write_dists(tmp_path / "gen2", "tp-generic", "1.1"), **gitlab_env(generic.token(AUDIENCE))
    )
    assert result.returncode != 0 and "no trusted publisher" in result.stderr, result.stderr


def test_a_pending_publisher_creates_the_project_on_first_upload(stack, tmp_path):
    ca, app, issuers = stack
    gh = issuers["github"]
    user = UserFactory(username="pending-owner")
    issuer = services.add_issuer("local-github", gh.url, "github")
    pending = services.add_pending_publisher(
        "tp-brand-new", issuer, {"repository": "octo-org/new", "workflow": "publish.yml"}, user
    )
    gh.claims = github_claims("octo-org/new", "publish.yml")
    result = uv_publish(
        app,
        ca,
        write_dists(tmp_path / "dist", "tp-brand-new", "1.0"),
        GITHUB_ACTIONS="true",
        ACTIONS_ID_TOKEN_REQUEST_URL=gh.token_request_url,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN=gh.request_token,
    )
    assert result.returncode == 0, result.stdout + result.stderr + app.log_text()
    project = Project.objects.get(normalized_name="tp-brand-new")
    assert [o.username for o in project.owners()] == ["pending-owner"]
    pending.refresh_from_db()
    assert pending.project == project and not pending.is_pending
    check_published("tp-brand-new", pending)
    assert installed(app, ca, tmp_path, "tp-brand-new", "tp_brand_new") == "1.0"


def test_uv_uploads_a_real_attestation_and_the_index_serves_its_provenance(stack, tmp_path, tmp_path_factory):
    """uv sends `<file>.publish.attestation` next to the file; the index verifies it offline
    against the publisher (claims matching the asset's signer) and serves the provenance."""
    import json
    import shutil
    import urllib.request

    from devtools.testing import attestation_assets as assets

    ca, app, issuers = stack
    gh = issuers["github"]
    asset_dir = assets.fetch_assets(tmp_path_factory.mktemp("assets"))
    dist = tmp_path / "attested"
    dist.mkdir()
    for name in (assets.GITHUB_SDIST, f"{assets.GITHUB_SDIST}.publish.attestation"):
        shutil.copy(asset_dir / name, dist / name)
    user = UserFactory(username="attested-owner")
    issuer = services.add_issuer("local-github", gh.url, "github")
    publisher = services.add_pending_publisher("pypi-attestations", issuer, assets.GITHUB_SIGNER, user)
    gh.claims = github_claims(assets.GITHUB_SIGNER["repository"], assets.GITHUB_SIGNER["workflow"])
    result = uv_publish(
        app,
        ca,
        [f"{dist}/*"],
        GITHUB_ACTIONS="true",  # the file and its attestation
        ACTIONS_ID_TOKEN_REQUEST_URL=gh.token_request_url,
        ACTIONS_ID_TOKEN_REQUEST_TOKEN=gh.request_token,
    )
    assert result.returncode == 0, result.stdout + result.stderr + app.log_text()
    file = File.objects.get(filename=assets.GITHUB_SDIST)
    publisher.refresh_from_db()
    assert file.provenance_sha256 and file.published_by == publisher.label

    import ssl

    context = ssl.create_default_context(cafile=str(ca.ca_file))
    request = urllib.request.Request(
        f"{app.url}/simple/pypi-attestations/", headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(request, context=context, timeout=30) as response:
        provenance_url = json.load(response)["files"][0]["provenance"]
    with urllib.request.urlopen(app.url + provenance_url, context=context, timeout=30) as response:
        assert response.headers["Content-Type"] == "application/vnd.pypi.integrity.v1+json"
        body = json.load(response)
    assert body["attestation_bundles"][0]["publisher"]["repository"] == "trailofbits/pypi-attestations"
