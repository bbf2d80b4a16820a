"""Read tokens (issue 19): made in the account's token page or with `create_token --read`, scoped to
an organization the user is in or a private project the user may see, shown once, stored hashed,
and never able to upload."""

import hashlib

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.models import ApiToken
from accounts.tokens import TokenError, authenticate_token
from devtools.testing.private import private_world

from .support import reauthenticate


@pytest.fixture
def world(db):
    return private_world()


@pytest.fixture
def fresh(client, world, password):
    client.force_login(world.member)
    reauthenticate(client, password)
    return client


def _choices(client):
    form = client.get("/manage/account/tokens/new/").context["form"]
    return {value for _, group in form.fields["scope"].choices for value, _ in group}


def test_the_form_offers_read_scopes_the_user_may_see_only(client, world, password):
    client.force_login(world.member)
    reauthenticate(client, password)
    assert f"read-org:{world.org.pk}" in _choices(client)
    assert f"read-project:{world.project.pk}" in _choices(client)
    assert f"read-org:{world.other_org.pk}" not in _choices(client)
    client.force_login(world.stranger)
    reauthenticate(client, password)
    offered = _choices(client)
    assert not any(value.startswith("read-") for value in offered)


def test_a_read_token_made_in_the_portal_is_shown_once_hashed_and_reads_the_organization(
    fresh, world, client, basic_auth, deliver
):
    with deliver():
        response = fresh.post("/manage/account/tokens/new/", {"name": "ci", "scope": f"read-org:{world.org.pk}"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    raw = response.context["issued"].raw
    html = response.content.decode()
    assert f"__token__:{raw}@testserver/simple/" in html and "machine testserver" in html
    token = response.context["issued"].token
    assert token.kind == ApiToken.Kind.READ and token.organization == world.org and token.project is None
    secret = raw.partition("_")[2]
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest() and secret not in token.secret_hash
    listing = fresh.get("/manage/account/tokens/").content.decode()
    assert "Read only, organization: acme" in listing and raw not in listing
    page = client.get(f"/simple/{world.project.normalized_name}/", HTTP_AUTHORIZATION=basic_auth("__token__", raw))
    assert page.status_code == 200


def test_the_portal_refuses_a_read_scope_the_user_may_not_see(fresh, world):
    response = fresh.post("/manage/account/tokens/new/", {"name": "x", "scope": f"read-org:{world.other_org.pk}"})
    assert "scope" in response.context["form"].errors
    assert not ApiToken.objects.filter(name="x").exists()


def test_a_read_token_never_uploads(world):
    with pytest.raises(TokenError, match="read token; it cannot upload"):
        authenticate_token(world.tokens["member"])


def test_create_token_read_command(world, capsys):
    call_command("create_token", world.member.username, "--read", "--organization", world.org.name)
    raw = capsys.readouterr().out.strip()
    token = authenticate_token(raw, kinds=(ApiToken.Kind.READ,))
    assert token.organization == world.org and token.kind == ApiToken.Kind.READ
    call_command("create_token", world.maintainer.username, "--read", "--project", world.project.name)
    token = authenticate_token(capsys.readouterr().out.strip(), kinds=(ApiToken.Kind.READ,))
    assert token.project == world.project

    refusals = [
        ((world.member.username, "--read"), "one scope"),
        ((world.member.username, "--read", "--organization", world.other_org.name), "not a member"),
        ((world.stranger.username, "--read", "--project", world.project.name), "cannot see"),
        # without --read, --organization scopes an upload token (organizations/tests/test_admin.py)
        ((world.member.username, "--read", "--organization", "nope"), "No organization"),
    ]
    for args, message in refusals:
        with pytest.raises(CommandError, match=message):
            call_command("create_token", *args)
