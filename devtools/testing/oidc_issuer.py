"""A local OIDC issuer for tests: its own RSA key pair, a discovery document and JWKS, and a
GitHub Actions-style token endpoint (what ACTIONS_ID_TOKEN_REQUEST_URL points at), served
from a thread over http or, with an ssl.SSLContext, https on 127.0.0.1."""

import json
import secrets
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa


class LocalIssuer:
    def __init__(self, ssl_context: ssl.SSLContext | None = None, algorithm="RS256"):
        self.algorithm = algorithm
        if algorithm == "ES256":
            self.key = ec.generate_private_key(ec.SECP256R1())
        else:
            self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = secrets.token_hex(8)
        self.request_token = secrets.token_urlsafe(16)  # ACTIONS_ID_TOKEN_REQUEST_TOKEN
        self.claims = {}  # what the token endpoint signs (plus iss, aud, iat, nbf, exp, jti)
        self.requests = []  # paths asked, in order
        self.jwks_path = "/jwks"  # what the discovery document names ("/moved" redirects to /jwks)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        if ssl_context is not None:
            self.server.socket = ssl_context.wrap_socket(self.server.socket, server_side=True)
        scheme = "https" if ssl_context is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    @property
    def token_request_url(self):
        return f"{self.url}/token?api-version=2.0"  # clients append &audience=...

    def jwks(self):
        family = jwt.algorithms.ECAlgorithm if self.algorithm == "ES256" else jwt.algorithms.RSAAlgorithm
        jwk = json.loads(family.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": self.algorithm}]}

    def token(self, audience, lifetime=300, key=None, kid=None, **overrides):
        """A signed JWT with this issuer's claims; overrides replace (None removes) claims."""
        now = int(time.time())
        claims = {
            "iss": self.url,
            "aud": audience,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime,
            "jti": secrets.token_hex(16),
            **self.claims,
        }
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode(
            claims,
            key or self.key,
            algorithm=self.algorithm if key is None else "RS256",
            headers={"kid": kid or self.kid},
        )

    def _handler(issuer):
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                parts = urlsplit(self.path)
                issuer.requests.append(parts.path)
                if parts.path == "/.well-known/openid-configuration":
                    return self._json(
                        200,
                        {
                            "issuer": issuer.url,
                            "jwks_uri": f"{issuer.url}{issuer.jwks_path}",
                            "id_token_signing_alg_values_supported": [issuer.algorithm],
                        },
                    )
                if parts.path == "/moved":
                    self.send_response(302)
                    self.send_header("Location", f"{issuer.url}/jwks")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if parts.path == "/jwks":
                    return self._json(200, issuer.jwks())
                if parts.path == "/token":
                    if self.headers.get("Authorization") != f"Bearer {issuer.request_token}":
                        return self._json(401, {"message": "bad request token"})
                    audience = parse_qs(parts.query).get("audience", [""])[0]
                    return self._json(200, {"value": issuer.token(audience)})
                return self._json(404, {"message": "not found"})

        return Handler


def github_claims(repository="octo-org/demo", workflow="release.yml", ref="refs/tags/v1.0", environment=None):
    """The claims GitHub Actions puts in a job's identity token (those publishers pin)."""
    owner = repository.split("/")[0]
    claims = {
        "sub": f"repo:{repository}:ref:{ref}",
        "repository": repository,
        "repository_owner": owner,
        "repository_owner_id": "1234",
        "repository_id": "5678",
        "ref": ref,
        "event_name": "push",
        "workflow_ref": f"{repository}/.github/workflows/{workflow}@{ref}",
        "job_workflow_ref": f"{repository}/.github/workflows/{workflow}@{ref}",
        "runner_environment": "github-hosted",
    }
    if environment:
        claims["environment"] = environment
    return claims


def gitlab_claims(host, project_path="group/demo", ci_config=".gitlab-ci.yml", ref="refs/heads/main", environment=None):
    """The claims of a GitLab CI/CD id_token (host: the issuer's host, e.g. gitlab.com)."""
    claims = {
        "sub": f"project_path:{project_path}:ref_type:branch:ref:main",
        "project_path": project_path,
        "namespace_path": project_path.rsplit("/", 1)[0],
        "ref": "main",
        "ref_type": "branch",
        "ci_config_ref_uri": f"{host}/{project_path}//{ci_config}@{ref}",
        "pipeline_source": "push",
    }
    if environment:
        claims["environment"] = environment
    return claims
