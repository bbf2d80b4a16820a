"""Staff's organization work in the admin (as the two staff groups, logged in with 2FA) and the
management commands: the applications queue, direct creation, freezing, private capability."""

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import CommandError, call_command

from organizations import services
from organizations.models import Organization, OrganizationApplication, OrganizationRole
from packages.tests.test_admin import run_action

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    [
        "organizations/organization/",
        "organizations/organization/add/",
        "organizations/organizationapplication/",
        "organizations/organizationrole/",
        "organizations/team/",
    ],
)
def test_admin_pages_render(admin_client, acme, path):
    assert admin_client.get(f"/admin/{path}").status_code == 200
    assert admin_client.get(f"/admin/organizations/organization/{acme.org.pk}/change/").status_code == 200


def test_the_queue_lists_pending_first_and_a_moderator_approves_and_declines(moderator_client, acme, outbox, deliver):
    first = services.applications.apply(acme.sam, name="first-org", display_name="First")
    second = services.applications.apply(acme.ivy, name="second-org", display_name="Second")
    services.applications.decline(services.applications.apply(acme.ivy, name="old-org", display_name="Old"), None, "no")
    page = moderator_client.get("/admin/organizations/organizationapplication/")
    names = [a.name for a in page.context["cl"].result_list]
    assert names == ["first-org", "second-org", "old-org"]
    with deliver():
        response = run_action(moderator_client, "organizations/organizationapplication", "approve", [first])
    assert response.status_code == 302
    organization = Organization.objects.get(name="first-org")
    assert OrganizationRole.objects.get(organization=organization).user == acme.sam
    with deliver():
        run_action(moderator_client, "organizations/organizationapplication", "decline", [second], reason="Too vague")
    second.refresh_from_db()
    assert second.status == "declined" and second.decision_reason == "Too vague"
    assert [m.to for m in outbox] == [["sam@example.com"], ["ivy@example.com"]]
    assert LogEntry.objects.filter(object_id=str(first.pk), change_message__startswith="Approved").exists()
    # A decided application can't be decided again: reported, nothing changes.
    response = run_action(moderator_client, "organizations/organizationapplication", "decline", [first], reason="x")
    first.refresh_from_db()
    assert first.status == "approved"
    # Moderators cannot freeze (an admin's action) nor create organizations.
    assert moderator_client.get("/admin/organizations/organization/add/").status_code == 403
    run_action(moderator_client, "organizations/organization", "freeze", [organization], reason="x")
    organization.refresh_from_db()
    assert not organization.is_frozen


def test_an_admin_creates_an_organization_directly_and_freezes_it(admin_client, acme):
    response = admin_client.post(
        "/admin/organizations/organization/add/",
        {"name": "acme-lib", "display_name": "X", "kind": "company", "owner": "sam"},
    )
    assert response.status_code == 200 and "is a project&#x27;s name" in response.content.decode()
    response = admin_client.post(
        "/admin/organizations/organization/add/",
        {
            "name": "Umbrella",
            "display_name": "Umbrella Corp",
            "kind": "company",
            "owner": "sam",
            "private_capable": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    umbrella = Organization.objects.get(name="Umbrella")
    assert umbrella.private_capable and umbrella.roles.get().user == acme.sam
    run_action(admin_client, "organizations/organization", "freeze", [acme.org], reason="abuse")
    acme.org.refresh_from_db()
    assert acme.org.is_frozen and acme.org.frozen_reason == "abuse"
    assert acme.org.events.first().action == "frozen by the index staff: abuse"
    run_action(admin_client, "organizations/organization", "unfreeze", [acme.org], reason="cleared")
    run_action(admin_client, "organizations/organization", "allow_private", [acme.org], reason="paying customer")
    acme.org.refresh_from_db()
    assert not acme.org.is_frozen and acme.org.private_capable
    response = admin_client.post(
        f"/admin/organizations/organization/{acme.org.pk}/change/",
        {"display_name": "Acme (edited)", "url": "", "description": "", **_empty_inlines()},
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    acme.org.refresh_from_db()
    assert acme.org.display_name == "Acme (edited)" and acme.org.events.first().action == "change display name"


def _empty_inlines():
    data = {}
    for prefix in ("roles", "teams", "events"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def test_create_organization_and_move_project_commands(acme, capsys):
    call_command("create_organization", "Soylent", "--owner", "sam", "--private-capable")
    soylent = Organization.objects.get(name="Soylent")
    assert soylent.private_capable and soylent.roles.get().user == acme.sam
    with pytest.raises(CommandError, match="another organization's name"):
        call_command("create_organization", "soylent", "--owner", "sam")
    with pytest.raises(CommandError, match="No user named"):
        call_command("create_organization", "other", "--owner", "nobody")
    call_command("move_project", "acme-app", "--out", "--owner", "sam")
    acme.app.refresh_from_db()
    assert acme.app.organization is None and acme.app.roles.get().user == acme.sam
    call_command("move_project", "acme-app", "--organization", "SOYLENT")
    acme.app.refresh_from_db()
    assert acme.app.organization == soylent
    with pytest.raises(CommandError, match="belongs to another organization"):
        call_command("move_project", "acme-app", "--organization", "acme")
    with pytest.raises(CommandError, match="No organization named"):
        call_command("move_project", "acme-lib", "--organization", "nope")
    assert "Moved acme-app into Soylent." in capsys.readouterr().out


def test_staff_project_creation_refuses_an_organizations_name(admin_client, acme):
    response = admin_client.post("/admin/packages/project/add/", {"name": "Acme", "owner": acme.sam.pk})
    assert response.status_code == 200 and "organization" in response.content.decode()
    assert not OrganizationApplication.objects.exists()


def test_create_token_scopes_an_upload_token_to_an_organization_or_a_team_project(acme, capsys):
    from accounts.models import ApiToken

    call_command("create_token", "tim", "--organization", "acme")
    call_command("create_token", "tim", "--project", "acme-lib")  # his role is his team's
    tokens = ApiToken.objects.filter(user=acme.tim).order_by("pk")
    assert [(t.kind, t.organization_id, t.project_id) for t in tokens] == [
        ("upload", acme.org.pk, None),
        ("upload", None, acme.lib.pk),
    ]
    with pytest.raises(CommandError, match="no role on project 'acme-app'"):
        call_command("create_token", "tim", "--project", "acme-app")
    with pytest.raises(CommandError, match="not a member of organization 'acme'"):
        call_command("create_token", "carl", "--organization", "acme")
    with pytest.raises(CommandError, match="one scope"):
        call_command("create_token", "tim", "--organization", "acme", "--project", "acme-lib")
