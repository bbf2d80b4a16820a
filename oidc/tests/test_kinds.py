"""Which token claims match a publisher, per issuer kind (pure functions, no database)."""

import pytest

from devtools.testing.oidc_issuer import github_claims, gitlab_claims
from oidc import kinds


def test_github_pins_repository_workflow_and_optional_environment():
    spec = kinds.get(kinds.GITHUB)
    pinned = spec.clean({"repository": "Octo/Demo", "workflow": "release.yml", "environment": "pypi"})
    assert spec.matches(pinned, github_claims("octo/demo", "release.yml", environment="PyPI"), kinds.GITHUB_ISSUER)
    assert not spec.matches(pinned, github_claims("octo/demo", "release.yml"), kinds.GITHUB_ISSUER)  # no environment
    assert not spec.matches(pinned, github_claims("octo/demo", "ci.yml", environment="pypi"), kinds.GITHUB_ISSUER)
    assert not spec.matches(pinned, github_claims("octo/demo2", "release.yml", environment="pypi"), kinds.GITHUB_ISSUER)
    # A reusable workflow from another repository is not this repository's workflow file.
    claims = {
        **github_claims("octo/demo", environment="pypi"),
        "job_workflow_ref": "evil/tools/.github/workflows/release.yml@refs/heads/main",
    }
    assert not spec.matches(pinned, claims, kinds.GITHUB_ISSUER)
    with pytest.raises(kinds.ClaimsError, match="workflow is a file path"):
        spec.clean({"repository": "o/r", "workflow": "release.yml@main"})


def test_gitlab_matches_the_config_path_on_the_issuers_host():
    spec = kinds.get(kinds.GITLAB)
    pinned = spec.clean({"project_path": "group/sub/proj", "ci_config": ".gitlab-ci.yml"})
    assert spec.matches(pinned, gitlab_claims("gitlab.com", "group/sub/proj"), "https://gitlab.com")
    assert not spec.matches(pinned, gitlab_claims("gitlab.example.org", "group/sub/proj"), "https://gitlab.com")
    assert not spec.matches(pinned, gitlab_claims("gitlab.com", "group/sub/proj", "other.yml"), "https://gitlab.com")
    assert spec.attestation_identity(pinned, "https://gitlab.com") is not None
    assert spec.attestation_identity(pinned, "https://gitlab.example.org") is None  # self-managed: not verifiable


def test_google_needs_a_verified_email():
    spec = kinds.get(kinds.GOOGLE)
    pinned = spec.clean({"email": "ci@proj.iam.gserviceaccount.com"})
    token = {"email": "ci@proj.iam.gserviceaccount.com", "email_verified": True, "sub": "123"}
    assert spec.matches(pinned, token, kinds.GOOGLE_ISSUER)
    assert not spec.matches(pinned, {**token, "email_verified": False}, kinds.GOOGLE_ISSUER)
    assert not spec.matches({**pinned, "sub": "999"}, token, kinds.GOOGLE_ISSUER)


def test_forgejo_reads_the_workflow_from_workflow_ref_too():
    spec = kinds.get(kinds.FORGEJO)
    pinned = spec.clean({"repository": "me/lib", "workflow": "release.yaml"})
    token = {"repository": "me/lib", "workflow_ref": "me/lib/.forgejo/workflows/release.yaml@refs/tags/v1"}
    assert spec.matches(pinned, token, "https://code.example.org/api/actions")
    assert spec.attestation_identity(pinned, "https://code.example.org/api/actions") is None


def test_generic_pins_every_claim_exactly():
    spec = kinds.get(kinds.GENERIC)
    pinned = spec.clean({"sub": "job:1", "runner": "trusted"})
    assert spec.matches(pinned, {"sub": "job:1", "runner": "trusted", "other": "x"}, "https://ci.example.org")
    assert not spec.matches(pinned, {"sub": "job:1"}, "https://ci.example.org")
    with pytest.raises(kinds.ClaimsError, match="needs: sub"):
        spec.clean({"runner": "trusted"})
