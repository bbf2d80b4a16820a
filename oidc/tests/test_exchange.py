"""The token exchange against a real local issuer (HTTP on loopback, keys fetched for real),
and uploads with the tokens it mints (Django's test client; the end-to-end test uses uv)."""

import subprocess
import sys
import time

import pytest
from django.core.exceptions import ValidationError

from api.tests.upload_support import post, wheel
from devtools.publish import publish
from devtools.testing.oidc_issuer import LocalIssuer, github_claims
from oidc import services
from oidc.models import TrustedPublisher, UsedJTI
from packages import flags
from packages.models import AdminFlag, File, JournalEntry

AUD = "index.test"


@pytest.fixture
def oidc_settings(settings):
    settings.OIDC_AUDIENCE = AUD
    settings.OIDC_ALLOW_INSECURE_LOCAL_ISSUERS = True  # plain-http loopback issuer for these tests
    return settings


@pytest.fixture
def issuer(oidc_settings, db):
    with LocalIssuer() as local:
        local.claims = github_claims("octo-org/demo", "release.yml")
        local.model = services.add_issuer("local-gh", local.url, "github")
        yield local


@pytest.fixture
def project(user):
    return publish(user, "demo", "0.1", kinds=("wheel",)).project


@pytest.fixture
def publisher(issuer, project, user):
    return services.add_publisher(
        project, issuer.model, {"repository": "octo-org/demo", "workflow": "release.yml"}, user
    )


def mint(client, token):
    return client.post("/_/oidc/mint-token", {"token": token}, content_type="application/json")


def refused(response, code):
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["errors"][0]["code"] == code, body
    return body["errors"][0]["description"]


def test_audience_is_the_configured_one_and_403_when_disabled(client, oidc_settings, db):
    assert client.get("/_/oidc/audience").json() == {"audience": AUD}
    AdminFlag.objects.create(id=flags.DISALLOW_OIDC, description="off", enabled=True)
    flags.forget_cached_flags()
    response = client.get("/_/oidc/audience")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "not-enabled"
    assert mint(client, "x").status_code == 403


def test_default_audience_is_the_sites_host_name():
    from urllib.parse import urlsplit

    from django.conf import settings

    assert settings.OIDC_AUDIENCE == urlsplit(settings.SITE_URL).hostname


def test_mint_then_upload_records_the_publisher(client, issuer, publisher):
    response = mint(client, issuer.token(AUD))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["success"] is True and body["token"].startswith("pypi-")
    assert 890 <= body["expires"] - time.time() <= 900
    upload = post(client, body["token"], *wheel("demo", "1.0"), name="demo", version="1.0")
    assert upload.status_code == 200, upload.content
    file = File.objects.get(filename="demo-1.0-py3-none-any.whl")
    assert file.uploader is None and file.published_by == publisher.label == "GitHub Actions: octo-org/demo release.yml"
    assert file.release.uploader is None
    assert JournalEntry.objects.filter(
        project=publisher.project, action=f"{file.filename} published by trusted publisher {publisher.label}"
    ).exists()


def test_minted_token_skips_the_account_checks(client, issuer, publisher, user, settings):
    """The uploader's account rules (verified e-mail, 2FA) are for people, not for the publisher."""
    settings.UPLOAD_REQUIRE_2FA = True
    user.emailaddress_set.update(verified=False)
    token = mint(client, issuer.token(AUD)).json()["token"]
    assert post(client, token, *wheel("demo", "1.1"), name="demo", version="1.1").status_code == 200


def test_refusals_each_say_which_check_failed(client, issuer, publisher):
    assert "audience is not 'index.test'" in refused(mint(client, issuer.token("pypi")), "wrong-audience")
    assert "expired" in refused(mint(client, issuer.token(AUD, iat=int(time.time()) - 900, lifetime=-600)), "expired")
    token = issuer.token(AUD)
    assert mint(client, token).status_code == 200
    assert "already exchanged" in refused(mint(client, token), "replayed")
    assert "not known" in refused(mint(client, issuer.token(AUD, iss="https://elsewhere.example")), "unknown-issuer")
    issuer.claims = github_claims("octo-org/other", "release.yml")
    assert "no trusted publisher" in refused(mint(client, issuer.token(AUD)), "invalid-publisher")
    issuer.claims = github_claims("octo-org/demo", "other.yml")
    assert "repository=octo-org/demo" in refused(mint(client, issuer.token(AUD)), "invalid-publisher")
    issuer.claims = github_claims("octo-org/demo", "release.yml")
    assert "not valid yet" in refused(mint(client, issuer.token(AUD, nbf=int(time.time()) + 600)), "not-yet-valid")
    assert refused(mint(client, "not-a-jwt"), "invalid-payload")
    from cryptography.hazmat.primitives.asymmetric import rsa

    forged = issuer.token(AUD, key=rsa.generate_private_key(public_exponent=65537, key_size=2048))
    assert "signature" in refused(mint(client, forged), "invalid-signature")
    issuer.model.enabled = False
    issuer.model.save()
    assert "disabled" in refused(mint(client, issuer.token(AUD)), "disabled-issuer")
    from oidc.exchange import failure_counts

    counts = failure_counts(["wrong-audience", "replayed", "disabled-issuer"])
    assert counts == {"wrong-audience": 1, "replayed": 1, "disabled-issuer": 1}


def test_replay_is_refused_from_the_database_even_without_the_cache(client, issuer, publisher, settings):
    token = issuer.token(AUD)
    assert mint(client, token).status_code == 200
    from django.core.cache import cache

    cache.clear()  # another node, or a restarted cache: the jti row still says no
    assert UsedJTI.objects.count() == 1
    refused(mint(client, token), "replayed")


def test_minted_token_is_for_its_project_only(client, issuer, publisher, user):
    publish(user, "other-project", "1.0", kinds=("wheel",))
    token = mint(client, issuer.token(AUD)).json()["token"]
    response = post(client, token, *wheel("other-project", "2.0"), name="other-project", version="2.0")
    assert response.status_code == 403
    assert (
        "minted for the trusted publisher GitHub Actions: octo-org/demo release.yml of project 'demo'"
        in response.content.decode()
    )
    response = post(client, token, *wheel("brand-new", "1.0"), name="brand-new", version="1.0")
    assert response.status_code == 403


def test_minted_token_expires_and_can_be_burned(client, issuer, publisher):
    from accounts.models import ApiToken

    token = mint(client, issuer.token(AUD)).json()["token"]
    response = client.post("/_/oidc/burn-token", {"token": token}, content_type="application/json")
    assert response.json() == {"success": True}
    response = post(client, token, *wheel("demo", "3.0"), name="demo", version="3.0")
    assert response.status_code == 403 and "was burned" in response.content.decode()
    token = mint(client, issuer.token(AUD)).json()["token"]
    from django.utils import timezone

    ApiToken.objects.filter(kind="publisher", revoked__isnull=True).update(expires=timezone.now())
    response = post(client, token, *wheel("demo", "3.0"), name="demo", version="3.0")
    assert response.status_code == 403 and "has expired (they last 15 minutes)" in response.content.decode()
    assert (
        client.post("/_/oidc/burn-token", {"token": "pypi-nope_nope"}, content_type="application/json").status_code
        == 422
    )


def test_pending_publisher_creates_the_project_owned_by_who_registered_it(client, issuer, user):
    pending = services.add_pending_publisher(
        "Fresh-Thing", issuer.model, {"repository": "octo-org/demo", "workflow": "release.yml"}, user
    )
    token = mint(client, issuer.token(AUD)).json()["token"]
    response = post(client, token, *wheel("something-else", "1.0"), name="something-else", version="1.0")
    assert response.status_code == 403
    response = post(client, token, *wheel("fresh-thing", "1.0"), name="fresh-thing", version="1.0")
    assert response.status_code == 200, response.content
    pending.refresh_from_db()
    assert pending.project.normalized_name == "fresh-thing" and pending.pending_name == ""
    assert [o.username for o in pending.project.owners()] == ["alice"]
    assert JournalEntry.objects.filter(project=pending.project, action__startswith="add trusted publisher").exists()


def test_keys_are_refetched_at_most_once_a_minute(client, issuer, publisher):
    assert mint(client, issuer.token(AUD)).status_code == 200
    fetched = issuer.requests.count("/jwks")
    assert fetched == 1
    assert mint(client, issuer.token(AUD)).status_code == 200  # cached by kid
    for _ in range(3):
        refused(mint(client, issuer.token(AUD, kid="rotated")), "invalid-key")
    assert issuer.requests.count("/jwks") == 1  # fetched less than a minute ago: no refresh
    from django.core.cache import cache

    cache.delete(f"oidc:jwks-fetched:{issuer.url}")  # as if the minute had passed
    for _ in range(3):
        refused(mint(client, issuer.token(AUD, kid="rotated")), "invalid-key")
    assert issuer.requests.count("/jwks") == 2  # one refresh for the unknown kid, then none


def test_issuer_urls_https_only_unless_loopback_with_the_flag(settings, db):
    settings.OIDC_ALLOW_INSECURE_LOCAL_ISSUERS = False
    with pytest.raises(ValidationError, match="OIDC_ALLOW_INSECURE_LOCAL_ISSUERS"):
        services.add_issuer("local", "http://127.0.0.1:9/", "generic")
    with pytest.raises(ValidationError, match="must use https"):
        services.add_issuer("remote", "http://ci.example.com", "generic")
    services.add_issuer("local-tls", "https://127.0.0.1:9", "generic")  # https loopback: fine
    settings.OIDC_ALLOW_INSECURE_LOCAL_ISSUERS = True
    with pytest.raises(ValidationError, match="must use https"):
        services.add_issuer("remote", "http://ci.example.com", "generic")


def test_the_insecure_flag_is_refused_at_start_up_without_debug():
    from devtools.testing.clients import clean_env

    env = clean_env(OIDC_ALLOW_INSECURE_LOCAL_ISSUERS="1", DEBUG="0", DJANGO_SETTINGS_MODULE="pypiapp.settings")
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode != 0
    assert "OIDC_ALLOW_INSECURE_LOCAL_ISSUERS=1 is for development only" in result.stderr


def test_default_issuers_are_present(db):
    from oidc.models import OIDCIssuer

    assert set(OIDCIssuer.objects.values_list("url", "kind")) >= {
        ("https://token.actions.githubusercontent.com", "github"),
        ("https://gitlab.com", "gitlab"),
    }


def test_publisher_changes_are_journaled_and_mailed_to_owners(
    issuer, project, user, other_user, mailoutbox, django_capture_on_commit_callbacks
):
    from packages.models import Role

    Role.objects.create(user=other_user, project=project, role_name=Role.OWNER)
    with django_capture_on_commit_callbacks(execute=True):
        publisher = services.add_publisher(
            project, issuer.model, {"repository": "octo-org/demo", "workflow": "release.yml"}, user
        )
        services.remove_publisher(TrustedPublisher.objects.get(pk=publisher.pk), user)
    actions = list(JournalEntry.objects.filter(project=project).values_list("action", flat=True))
    assert "add trusted publisher GitHub Actions: octo-org/demo release.yml" in actions
    assert "remove trusted publisher GitHub Actions: octo-org/demo release.yml" in actions
    subjects = sorted(m.subject for m in mailoutbox)
    assert subjects == [
        "[Package Index] Trusted publisher added on demo",
        "[Package Index] Trusted publisher removed on demo",
    ]
    assert sorted(mailoutbox[0].to) == ["alice@example.com", "bob@example.com"]


def test_an_upload_with_a_minted_token_costs_one_query_more(client, issuer, publisher, django_assert_max_num_queries):
    """The publisher (with its issuer) is the one extra read; its journal entry joins the batch."""
    from api.tests.test_queries import UPLOAD_QUERIES

    token = mint(client, issuer.token(AUD)).json()["token"]
    post(client, token, *wheel("demo", "4.0"), name="demo", version="4.0")  # sets "last used"
    filename, data = wheel("demo", "4.1")
    with django_assert_max_num_queries(UPLOAD_QUERIES + 1):
        assert post(client, token, filename, data, name="demo", version="4.1").status_code == 200


def test_es256_issuers_are_accepted_and_unsupported_algorithms_refused(client, oidc_settings, project, user):
    with LocalIssuer(algorithm="ES256") as local:
        local.claims = {"sub": "job:release"}
        issuer = services.add_issuer("es-ci", local.url, "generic")
        services.add_publisher(project, issuer, {"sub": "job:release"}, user)
        assert mint(client, local.token(AUD)).status_code == 200
        import jwt as pyjwt

        hs = pyjwt.encode(
            {"iss": local.url, "aud": AUD, "sub": "job:release", "exp": int(time.time()) + 60, "iat": int(time.time())},
            "a-shared-secret-that-is-32-bytes-long",
            algorithm="HS256",
            headers={"kid": local.kid},
        )
        assert "Unsupported signing algorithm 'HS256'" in refused(mint(client, hs), "invalid-signature")


def test_a_pending_publisher_of_a_frozen_user_creates_nothing(client, issuer, user):
    services.add_pending_publisher(
        "frozen-thing", issuer.model, {"repository": "octo-org/demo", "workflow": "release.yml"}, user
    )
    token = mint(client, issuer.token(AUD)).json()["token"]
    user.is_frozen = True
    user.save()
    response = post(client, token, *wheel("frozen-thing", "1.0"), name="frozen-thing", version="1.0")
    assert response.status_code == 403 and "no active user to own the project" in response.content.decode()


def test_redirects_from_an_issuer_are_not_followed(client, issuer, publisher):
    issuer.jwks_path = "/moved"
    description = refused(mint(client, issuer.token(AUD)), "invalid-key")
    assert "redirect to" in description and "not followed" in description
    assert "/jwks" not in issuer.requests
