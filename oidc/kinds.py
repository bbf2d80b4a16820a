"""Issuer kinds: which claims a trusted publisher pins, and how a token's claims match them.

A publisher stores its pinned values as a dict (`TrustedPublisher.claims`). Each kind names the
keys it requires and allows, the one key that indexes the lookup (`lookup_key`, so an exchange
reads only the publishers that can match), how to compare against a verified token's claims,
and, for the kinds `pypi-attestations` can verify, the library's publisher identity.
"""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

GITHUB, GITLAB, GOOGLE, FORGEJO, GENERIC = "github", "gitlab", "google", "forgejo", "generic"
CHOICES = [
    (GITHUB, "GitHub Actions"),
    (GITLAB, "GitLab CI/CD"),
    (GOOGLE, "Google Cloud"),
    (FORGEJO, "Forgejo / Gitea Actions"),
    (GENERIC, "Generic OIDC"),
]
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
GITLAB_COM_ISSUER = "https://gitlab.com"
GOOGLE_ISSUER = "https://accounts.google.com"


class ClaimsError(ValueError):
    """The pinned claims are incomplete or malformed; the message is shown to the maintainer."""


def _workflow_file(ref):
    """'owner/repo/.github/workflows/release.yml@refs/tags/v1' -> 'release.yml'."""
    return (ref or "").partition("@")[0].rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Kind:
    id: str
    required: tuple
    optional: tuple = ()
    extra_allowed: bool = False  # generic: any further claim, matched exactly
    lookup_key: str = ""
    help: dict = field(default_factory=dict)

    def clean(self, claims: dict) -> dict:
        claims = {str(k).strip(): str(v).strip() for k, v in claims.items() if str(v).strip()}
        missing = [key for key in self.required if not claims.get(key)]
        if missing:
            raise ClaimsError(f"A {self.id} publisher needs: {', '.join(missing)}.")
        unknown = sorted(set(claims) - set(self.required) - set(self.optional))
        if unknown and not self.extra_allowed:
            raise ClaimsError(f"Unknown claims for a {self.id} publisher: {', '.join(unknown)}.")
        if self.id in (GITHUB, FORGEJO) and claims["repository"].count("/") != 1:
            raise ClaimsError("repository must be 'owner/name'.")
        if self.id in (GITHUB, FORGEJO, GITLAB):
            workflow_key = "ci_config" if self.id == GITLAB else "workflow"
            if "@" in claims[workflow_key]:
                raise ClaimsError(f"{workflow_key} is a file path without '@ref'.")
        if self.id == GITLAB and "/" not in claims["project_path"]:
            raise ClaimsError("project_path must be 'namespace/project'.")
        return claims

    def lookup_value(self, claims: dict) -> str:
        """The value that indexes publishers of this kind (case-folded where the CI folds it)."""
        value = str(claims.get(self.lookup_key) or "")
        return value.lower() if self.id in (GITHUB, GITLAB, FORGEJO) else value

    def matches(self, pinned: dict, token: dict, issuer_url: str) -> bool:
        env = pinned.get("environment")
        if env and str(token.get("environment", "")).lower() != env.lower():
            return False
        if self.id in (GITHUB, FORGEJO):
            repo = str(token.get("repository", ""))
            ref = str(token.get("job_workflow_ref") or token.get("workflow_ref") or "")
            return (
                repo.lower() == pinned["repository"].lower()
                and ref.lower().startswith(repo.lower() + "/")
                and _workflow_file(ref) == pinned["workflow"]
            )
        if self.id == GITLAB:
            host = urlsplit(issuer_url).netloc
            path = str(token.get("project_path", ""))
            expected = f"{host}/{pinned['project_path']}//{pinned['ci_config']}@".lower()
            return path.lower() == pinned["project_path"].lower() and str(
                token.get("ci_config_ref_uri", "")
            ).lower().startswith(expected)
        if self.id == GOOGLE:
            if token.get("email_verified") is not True or token.get("email") != pinned["email"]:
                return False
            return not pinned.get("sub") or token.get("sub") == pinned["sub"]
        # generic: every pinned claim exactly (strings compared as strings)
        return all(key in token and str(token[key]) == value for key, value in pinned.items())

    def describe(self, claims: dict) -> str:
        env = f" (environment {claims['environment']})" if claims.get("environment") else ""
        if self.id in (GITHUB, FORGEJO):
            return f"{claims['repository']} {claims['workflow']}{env}"
        if self.id == GITLAB:
            return f"{claims['project_path']} {claims['ci_config']}{env}"
        if self.id == GOOGLE:
            return claims["email"]
        return ", ".join(f"{k}={v}" for k, v in sorted(claims.items()))

    def describe_token(self, token: dict) -> str:
        """The claims a publisher of this kind would pin, as the token carries them."""
        keys = {
            GITHUB: ("repository", "job_workflow_ref", "environment"),
            FORGEJO: ("repository", "job_workflow_ref", "workflow_ref", "environment"),
            GITLAB: ("project_path", "ci_config_ref_uri", "environment"),
            GOOGLE: ("email", "sub"),
        }.get(self.id, ("sub",))
        return ", ".join(f"{k}={token[k]}" for k in keys if token.get(k)) or "none of the pinned claims"

    def attestation_identity(self, claims: dict, issuer_url: str):
        """The pypi-attestations publisher that attestations from this publisher must be signed
        by, or None when the library cannot verify this kind (or this GitLab instance)."""
        import pypi_attestations as pa

        if self.id == GITHUB:
            return pa.GitHubPublisher(
                repository=claims["repository"], workflow=claims["workflow"], environment=claims.get("environment")
            )
        if self.id == GITLAB and issuer_url.rstrip("/") == GITLAB_COM_ISSUER:
            return pa.GitLabPublisher(
                repository=claims["project_path"],
                workflow_filepath=claims["ci_config"],
                environment=claims.get("environment"),
            )
        if self.id == GOOGLE:
            return pa.GooglePublisher(email=claims["email"])
        return None


KINDS = {
    GITHUB: Kind(
        GITHUB,
        ("repository", "workflow"),
        ("environment",),
        lookup_key="repository",
        help={
            "repository": "owner/name of the GitHub repository",
            "workflow": "workflow file name, e.g. release.yml",
            "environment": "optional GitHub Actions environment, e.g. pypi",
        },
    ),
    GITLAB: Kind(
        GITLAB,
        ("project_path", "ci_config"),
        ("environment",),
        lookup_key="project_path",
        help={
            "project_path": "namespace/project (groups and subgroups included)",
            "ci_config": "CI config file path, e.g. .gitlab-ci.yml",
            "environment": "optional environment",
        },
    ),
    GOOGLE: Kind(
        GOOGLE,
        ("email",),
        ("sub",),
        lookup_key="email",
        help={"email": "service account e-mail", "sub": "optional subject (the account's unique id)"},
    ),
    FORGEJO: Kind(
        FORGEJO,
        ("repository", "workflow"),
        ("environment",),
        lookup_key="repository",
        help={
            "repository": "owner/name of the repository",
            "workflow": "workflow file name, e.g. release.yml",
            "environment": "optional environment",
        },
    ),
    GENERIC: Kind(
        GENERIC,
        ("sub",),
        extra_allowed=True,
        lookup_key="sub",
        help={"sub": "the token's subject, exactly; add any other claim to match exactly"},
    ),
}


def get(kind_id) -> Kind:
    return KINDS[kind_id]
