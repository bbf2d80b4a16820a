"""PEP 740 attestations on upload, with real attested distributions from the pypi-attestations
sdist (downloaded at set-up), verified offline with sigstore's bundled trust root."""

import json

import pytest

from api.tests.upload_support import post, wheel
from devtools.testing import attestation_assets as assets
from devtools.testing.oidc_issuer import LocalIssuer, github_claims, gitlab_claims
from oidc import services
from packages.models import File, FileProvenance

AUD = "index.test"
PUBLISH_V1 = "https://docs.pypi.org/attestations/publish/v1"


@pytest.fixture(scope="session")
def asset_dir(tmp_path_factory):
    return assets.fetch_assets(tmp_path_factory.mktemp("pypi-attestations"))


@pytest.fixture(autouse=True)
def sigstore_cache(tmp_path, monkeypatch):
    """sigstore keeps its TUF trust root under the XDG directories: a temporary one here."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))


@pytest.fixture
def local(settings, db):
    settings.OIDC_AUDIENCE = AUD
    settings.OIDC_ALLOW_INSECURE_LOCAL_ISSUERS = True
    with LocalIssuer() as issuer:
        yield issuer


def minted(client, local, kind, claims, pinned, user, name):
    """A token minted for a pending `kind` publisher of project `name`, pinning `pinned`."""
    issuer = services.add_issuer(f"local-{kind}", local.url, kind)
    services.add_pending_publisher(name, issuer, pinned, user)
    local.claims = claims
    response = client.post("/_/oidc/mint-token", {"token": local.token(AUD)}, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()["token"]


def upload(client, token, asset_dir, filename, attestation_suffix=".publish.attestation", attestations=None):
    data = (asset_dir / filename).read_bytes()
    name, version = filename.removesuffix(".tar.gz").rsplit("-", 1)
    if attestations is None:
        attestations = json.dumps([json.loads((asset_dir / (filename + attestation_suffix)).read_text())])
    return post(
        client,
        token,
        filename,
        data,
        name=name.replace("_", "-"),
        version=version,
        attestations=attestations,
        headers={"HTTP_ACCEPT": "application/json"},
    )


def github_token(client, local, user, workflow="release.yml"):
    claims = github_claims(assets.GITHUB_SIGNER["repository"], workflow)
    return minted(
        client, local, "github", claims, {**assets.GITHUB_SIGNER, "workflow": workflow}, user, "pypi-attestations"
    )


def test_a_real_github_attestation_is_verified_stored_and_served(client, local, user, asset_dir):
    token = github_token(client, local, user)
    response = upload(client, token, asset_dir, assets.GITHUB_SDIST)
    assert response.status_code == 200, response.content
    file = File.objects.get(filename=assets.GITHUB_SDIST)
    assert file.provenance_sha256 and FileProvenance.objects.filter(file=file).exists()

    url = f"/integrity/pypi-attestations/0.0.19/{assets.GITHUB_SDIST}/provenance"
    served = client.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "application/vnd.pypi.integrity.v1+json"
    provenance = served.json()
    bundle = provenance["attestation_bundles"][0]
    assert provenance["version"] == 1
    assert bundle["publisher"] == {
        "kind": "GitHub",
        "repository": "trailofbits/pypi-attestations",
        "workflow": "release.yml",
        "environment": None,
    }
    from pypi_attestations import Attestation, Distribution, GitHubPublisher

    attestation = Attestation.model_validate(bundle["attestations"][0])
    dist = Distribution(name=file.filename, digest=file.sha256_digest)
    identity = GitHubPublisher(repository="trailofbits/pypi-attestations", workflow="release.yml")
    assert attestation.verify(identity, dist, offline=True)[0] == PUBLISH_V1  # what we serve verifies

    page = client.get("/simple/pypi-attestations/", HTTP_ACCEPT="application/vnd.pypi.simple.v1+json").json()
    assert page["meta"]["api-version"] >= "1.3"
    assert page["files"][0]["provenance"] == url
    html = client.get("/simple/pypi-attestations/", HTTP_ACCEPT="text/html").content.decode()
    assert f'data-provenance="{url}"' in html
    assert client.get(url.replace("0.0.19", "0.0.18")).status_code == 404


def test_an_attestation_signed_by_another_workflow_refuses_the_upload(client, local, user, asset_dir):
    token = github_token(client, local, user, workflow="other.yml")
    response = upload(client, token, asset_dir, assets.GITHUB_SDIST)
    assert response.status_code == 400
    message = response.json()["message"]
    assert message.startswith("Invalid attestations supplied during upload: ")
    assert "does not match expected Trusted Publisher" in message
    assert not File.objects.exists()


def test_an_attestation_for_other_bytes_refuses_the_upload(client, local, user, asset_dir):
    token = github_token(client, local, user)
    other = json.dumps([json.loads((asset_dir / f"{assets.GITLAB_SDIST}.publish.attestation").read_text())])
    response = upload(client, token, asset_dir, assets.GITHUB_SDIST, attestations=other)
    assert response.status_code == 400 and "Invalid attestations" in response.json()["message"]
    response = upload(client, token, asset_dir, assets.GITHUB_SDIST, attestations='[{"version": 1}]')
    assert response.status_code == 400 and "malformed attestation" in response.json()["message"]
    assert not File.objects.exists()


def test_attestations_need_a_minted_token(client, user, token_for, asset_dir):
    token = token_for(user)
    response = upload(client, token, asset_dir, assets.GITHUB_SDIST)
    assert response.status_code == 400, response.content
    assert "only on uploads made with a token minted for a trusted publisher" in response.json()["message"]


def test_attestations_from_publishers_the_verifier_cannot_check_are_refused(client, local, user, asset_dir):
    """A self-managed GitLab (here: a local GitLab-kind issuer) and generic issuers can't be
    verified by pypi-attestations: the upload says so rather than storing unverified claims."""
    host = local.url.split("://", 1)[1]
    token = minted(
        client,
        local,
        "gitlab",
        gitlab_claims(host, assets.GITLAB_SIGNER["project_path"]),
        assets.GITLAB_SIGNER,
        user,
        "gitlab-oidc-project",
    )
    response = upload(client, token, asset_dir, assets.GITLAB_SDIST)
    assert response.status_code == 400
    assert "supports GitHub Actions, gitlab.com and Google publishers only" in response.json()["message"]
    # The same upload without attestations goes through.
    data = (asset_dir / assets.GITLAB_SDIST).read_bytes()
    response = post(
        client,
        token,
        assets.GITLAB_SDIST,
        data,
        name="gitlab-oidc-project",
        version="0.0.3",
        headers={"HTTP_ACCEPT": "application/json"},
    )
    assert response.status_code == 200, response.content


def test_an_upload_without_attestations_has_no_provenance(client, local, user):
    token = github_token(client, local, user)
    assert (
        post(client, token, *wheel("pypi-attestations", "9.0"), name="pypi-attestations", version="9.0").status_code
        == 200
    )
    page = client.get("/simple/pypi-attestations/", HTTP_ACCEPT="application/vnd.pypi.simple.v1+json").json()
    assert page["files"][0]["provenance"] is None
