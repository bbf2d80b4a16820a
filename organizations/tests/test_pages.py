"""The organization pages people use: /org/<name>/, your organizations, applying, answering an
invitation from its mail, the management pages' content; and what organizations change in the
project portal (your projects, collaborators, tokens, Trusted Publishing) and the APIs."""

import re

import pytest
from django.db import transaction

from oidc.models import OIDCIssuer, TrustedPublisher
from organizations import services
from organizations.models import OrganizationApplication, OrganizationInvitation, OrganizationRole
from packages import services as package_services

pytestmark = pytest.mark.django_db


def test_the_public_page_shows_projects_but_never_private_ones_to_outsiders(client, acme):
    acme.org.private_capable = True
    acme.org.save()
    with transaction.atomic():
        package_services.set_private(acme.app, True, acme.olga)
    page = client.get("/org/ACME/")
    html = page.content.decode()
    assert page.status_code == 200 and "Acme Inc." in html and "acme-lib" in html
    assert "acme-app" not in html and "1 project" in html
    for outsider in (acme.sam, acme.carl):
        client.force_login(outsider)
        assert "acme-app" not in client.get("/org/acme/").content.decode()
    client.force_login(acme.meg)  # a Member sees the private project, marked
    html = client.get("/org/acme/").content.decode()
    assert "acme-app" in html and "Private" in html
    assert client.get("/org/no-such-org/").status_code == 404


def test_a_project_page_names_its_organization(client, acme):
    html = client.get("/project/acme-lib/").content.decode()
    assert '<a href="/org/acme/">Acme Inc.</a>' in html


def test_apply_shows_errors_beside_the_field_and_queues_the_application(client, acme):
    client.force_login(acme.sam)
    response = client.post(
        "/manage/organizations/apply/", {"name": "acme-lib", "display_name": "X", "kind": "community"}
    )
    assert response.status_code == 400 and "is a project&#x27;s name" in response.content.decode()
    response = client.post(
        "/manage/organizations/apply/",
        {"name": "Wayne-Ent", "display_name": "Wayne Enterprises", "url": "wayne.example", "kind": "company"},
    )
    assert response.status_code == 302
    application = OrganizationApplication.objects.get()
    assert (application.name, application.url, application.kind) == ("Wayne-Ent", "https://wayne.example", "company")
    html = client.get("/manage/organizations/").content.decode()
    assert "Wayne-Ent" in html and "Pending" in html


def test_an_invitation_is_answered_from_its_mail(client, acme, outbox, deliver):
    client.force_login(acme.olga)
    with deliver():
        response = client.post(
            "/manage/organization/acme/members/invite/", {"who": "ivy@example.com", "role_name": "Member"}
        )
    assert response.status_code == 302
    link = re.search(r"/manage/organizations/invitations/[\w-]+/", outbox[0].body).group(0)
    client.force_login(acme.sam)  # someone else's link is a 404
    assert client.get(link).status_code == 404
    client.force_login(acme.ivy)
    page = client.get(link)
    assert page.status_code == 200 and "Invitation to Acme Inc." in page.content.decode()
    invitation = OrganizationInvitation.objects.get()
    client.force_login(acme.sam)
    assert client.post(f"/manage/organizations/invitations/{invitation.pk}/accept/").status_code == 404
    client.force_login(acme.ivy)
    assert "Acme Inc." in client.get("/manage/organizations/").content.decode()  # listed as pending
    assert "You are invited to join 1 organization" in client.get("/manage/projects/").content.decode()
    response = client.post(f"/manage/organizations/invitations/{invitation.pk}/accept/")
    assert response.status_code == 302 and response["Location"] == "/manage/organization/acme/"
    assert OrganizationRole.objects.get(user=acme.ivy).role_name == "Member"


def test_invite_refusals_show_beside_the_field(client, acme):
    client.force_login(acme.olga)
    response = client.post("/manage/organization/acme/members/invite/", {"who": "meg", "role_name": "Member"})
    assert response.status_code == 400 and "already a member of acme" in response.content.decode()
    response = client.post("/manage/organization/acme/members/invite/", {"who": "nobody", "role_name": "Member"})
    assert response.status_code == 400 and "No active account" in response.content.decode()


def test_management_pages_show_what_the_role_may_do(client, acme):
    client.force_login(acme.meg)
    html = client.get("/manage/organization/acme/members/").content.decode()
    assert "Invite a member" not in html and "Leave organization" in html and "Settings" not in html
    client.force_login(acme.olga)
    html = client.get("/manage/organization/acme/members/").content.decode()
    assert "Invite a member" in html and "The last Owner cannot leave or be removed." in html
    html = client.get("/manage/organization/acme/projects/").content.decode()
    assert "devs</a> (Maintainer)" in html and "carl (Maintainer)" in html and "Move out" in html
    client.force_login(acme.mona)
    html = client.get("/manage/organization/acme/team/devs/").content.decode()
    assert "tim" in html and "acme-lib</a>: Maintainer" in html and "Delete devs" in html
    html = client.get("/manage/organization/acme/history/").content.decode()
    assert "give team devs the role Maintainer on acme-lib" in html


def test_settings_are_saved_and_journaled(client, acme):
    client.force_login(acme.olga)
    response = client.post(
        "/manage/organization/acme/settings/",
        {"display_name": "Acme Corporation", "url": "https://acme.example", "description": "Roadrunner gear."},
    )
    assert response.status_code == 302
    acme.org.refresh_from_db()
    assert (acme.org.display_name, acme.org.description) == ("Acme Corporation", "Roadrunner gear.")
    assert acme.org.events.first().action == "change display name, url, description"
    assert "Roadrunner gear." in client.get("/org/acme/").content.decode()


def test_your_projects_lists_team_and_organization_projects(client, acme):
    client.force_login(acme.tim)
    rows = client.get("/manage/projects/").context["rows"]
    assert [(r["project"].name, r["role"]) for r in rows] == [("acme-lib", "Maintainer")]
    client.force_login(acme.olga)
    rows = client.get("/manage/projects/").context["rows"]
    assert [(r["project"].name, r["role"]) for r in rows] == [("acme-app", "Owner"), ("acme-lib", "Owner")]
    client.force_login(acme.lea)  # a team Owner manages collaborators; the page names the teams
    html = client.get("/manage/project/acme-lib/collaborators/").content.decode()
    assert "Invite a collaborator" in html and "devs</a>: Maintainer" in html and "leads</a>: Owner" in html
    client.force_login(acme.tim)  # a team Maintainer yanks but does not invite
    assert (
        client.post("/manage/project/acme-lib/collaborators/invite/", {"who": "sam", "role_name": "Owner"}).status_code
        == 403
    )
    assert client.post("/manage/project/acme-lib/release/1.0/yank/", {"reason": "broken"}).status_code == 302
    client.force_login(acme.mona)  # a Manager holds no project role
    assert client.get("/manage/project/acme-lib/releases/").status_code == 404


@pytest.mark.parametrize(("name", "status"), [("lea", 302), ("olga", 302), ("tim", 403), ("mona", 404), ("sam", 404)])
def test_trusted_publishing_is_managed_by_effective_owners(client, acme, name, status):
    github = OIDCIssuer.objects.get(url="https://token.actions.githubusercontent.com")
    client.force_login(acme.people[name])
    response = client.post(
        "/manage/project/acme-lib/publishing/add/",
        {"issuer": github.pk, "claim_repository": "acme/lib", "claim_workflow": "release.yml"},
    )
    assert response.status_code == status
    assert TrustedPublisher.objects.filter(project=acme.lib).exists() is (status == 302)


def test_a_token_can_be_scoped_to_an_organization_or_a_team_project(client, acme):
    from accounts.forms import TokenForm

    form = TokenForm(user=acme.tim)
    (upload_group, _read) = form.fields["scope"].choices
    labels = [label for _, label in upload_group[1]]
    assert labels == ["Entire account (all projects)", "Project: acme-lib", "Organization: acme"]
    form = TokenForm({"name": "ci", "scope": f"org:{acme.org.pk}"}, user=acme.tim)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["scope"] == {"read": False, "project": None, "organization": acme.org}


def test_json_ownership_and_xmlrpc_roles_list_direct_roles_as_pypi_does(client, acme):
    import xmlrpc.client

    ownership = client.get("/pypi/acme-lib/json").json()["ownership"]
    # pypi.org: the organization's name, and the project's own collaborators only (no team roles).
    assert ownership == {"organization": "acme", "roles": [{"role": "Maintainer", "user": "carl"}]}

    def call(method, *args):
        body = xmlrpc.client.dumps(args, method)
        return xmlrpc.client.loads(client.post("/pypi", body, content_type="text/xml").content)[0][0]

    assert call("package_roles", "acme-lib") == [["Maintainer", "carl"]]
    assert call("user_packages", "tim") == []  # team roles are not listed (warehouse's Role query)
    assert call("user_packages", "carl") == [["Maintainer", "acme-lib"]]
    with transaction.atomic():
        services.projects.move_out(acme.lib, acme.olga)
    ownership = client.get("/pypi/acme-lib/json").json()["ownership"]  # the serial moved: no stale copy
    assert ownership["organization"] is None
    assert {"role": "Owner", "user": "olga"} in ownership["roles"]
