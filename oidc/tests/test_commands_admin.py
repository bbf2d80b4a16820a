"""manage.py oidc_issuer / trusted_publisher, and issuers in the admin (staff)."""

import pytest
from django.core.management import CommandError, call_command

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from devtools.publish import publish
from devtools.testing.staff import staff_login
from oidc.models import OIDCIssuer, TrustedPublisher
from packages.staff_groups import ADMINS, ensure_staff_groups

pytestmark = pytest.mark.django_db


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_oidc_issuer_add_list_disable():
    assert "Added issuer forgejo-local (forgejo) https://git.example.org/api/actions" in run(
        "oidc_issuer", "add", "forgejo-local", "https://git.example.org/api/actions", "--kind", "forgejo"
    )
    listing = run("oidc_issuer", "list")
    assert "forgejo-local\tforgejo\tenabled" in listing and "github-actions\tgithub\tenabled" in listing
    run("oidc_issuer", "disable", "forgejo-local")
    assert not OIDCIssuer.objects.get(name="forgejo-local").enabled
    with pytest.raises(CommandError, match="must use https"):
        run("oidc_issuer", "add", "plain", "http://ci.example.org", "--kind", "generic")
    with pytest.raises(CommandError, match="No issuer called"):
        run("oidc_issuer", "enable", "nope")


def test_trusted_publisher_add_list_remove(user):
    publish(user, "cmd-demo", "1.0", kinds=("wheel",))
    out = run(
        "trusted_publisher",
        "add",
        "cmd-demo",
        "--issuer",
        "gitlab-com",
        "--claim",
        "project_path=grp/cmd-demo",
        "--claim",
        "ci_config=.gitlab-ci.yml",
        "--user",
        "alice",
    )
    assert "GitLab CI/CD: grp/cmd-demo .gitlab-ci.yml" in out
    out = run(
        "trusted_publisher",
        "add",
        "new-thing",
        "--issuer",
        "github-actions",
        "--claim",
        "repository=o/r",
        "--claim",
        "workflow=release.yml",
        "--pending",
        "--user",
        "alice",
    )
    assert "(pending)" in out
    assert "new-thing (pending)" in run("trusted_publisher", "list")
    with pytest.raises(CommandError, match="needs: workflow"):
        run("trusted_publisher", "add", "cmd-demo", "--issuer", "github-actions", "--claim", "repository=o/r")
    with pytest.raises(CommandError, match="--pending needs --user"):
        run(
            "trusted_publisher",
            "add",
            "other",
            "--issuer",
            "github-actions",
            "--claim",
            "repository=o/r",
            "--claim",
            "workflow=x.yml",
            "--pending",
        )
    for publisher in TrustedPublisher.objects.all():
        run("trusted_publisher", "remove", str(publisher.pk))
    assert not TrustedPublisher.objects.exists()


def test_admins_add_issuers_in_the_admin_with_the_url_rules(client):
    ensure_staff_groups()
    admin = UserFactory(username="an-admin", is_staff=True)
    from django.contrib.auth.models import Group

    admin.groups.add(Group.objects.get(name=ADMINS))
    staff_login(client, admin, DEFAULT_PASSWORD)
    assert client.get("/admin/oidc/oidcissuer/").status_code == 200
    assert client.get("/admin/oidc/trustedpublisher/").status_code == 200
    response = client.post(
        "/admin/oidc/oidcissuer/add/",
        {
            "name": "ci",
            "url": "http://ci.example.org",
            "kind": "generic",
            "enabled": "on",
            "created_0": "2026-01-01",
            "created_1": "00:00:00",
        },
    )
    assert response.status_code == 200 and "must use https" in response.content.decode()
    response = client.post(
        "/admin/oidc/oidcissuer/add/",
        {
            "name": "ci",
            "url": "https://ci.example.org",
            "kind": "generic",
            "enabled": "on",
            "created_0": "2026-01-01",
            "created_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert OIDCIssuer.objects.filter(name="ci", kind="generic").exists()
