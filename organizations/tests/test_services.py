"""organizations/services: names, applications, invitations, the last Owner, teams, moving
projects, and what each writes in the organization's history and the projects' journals."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.tests.factories import UserFactory
from core.moderation import ModerationError
from devtools.publish import publish
from organizations import services
from organizations.models import (
    Organization,
    OrganizationInvitation,
    OrganizationRole,
    Team,
    TeamProjectRole,
)
from organizations.services import OrganizationError
from packages.models import JournalEntry, ProhibitedProjectName, Role

pytestmark = pytest.mark.django_db


def journal(project):
    return list(JournalEntry.objects.filter(project=project).order_by("id").values_list("action", flat=True))


def history(organization):
    return list(organization.events.order_by("id").values_list("action", flat=True))


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("-bad", "follows the project-name rules"),
        ("x" * 51, "at most 50 characters"),
        ("Taken_Project", "is a project's name"),
        ("ACME", "is another organization's name"),
        ("pending.org", "already waiting for the index staff"),
        ("banned", "prohibited"),
    ],
)
def test_organization_names_follow_project_rules_and_are_never_reused(acme, name, problem):
    publish(acme.sam, "taken-project", "1.0", kinds=("wheel",))
    services.applications.apply(acme.sam, name="Pending-Org", display_name="P")
    ProhibitedProjectName.objects.create(name="banned")
    with pytest.raises(OrganizationError, match=problem):
        services.check_name(name)


def test_an_application_is_approved_into_an_organization_and_the_applicant_is_mailed(acme, outbox, deliver):
    staff = UserFactory(username="staffer", is_staff=True)
    application = services.applications.apply(
        acme.sam, name="Initech", display_name="Initech LLC", url="https://initech.example", kind="company"
    )
    assert application.status == "pending" and application.normalized_name == "initech"
    with deliver():
        organization = services.applications.approve(application, staff)
    application.refresh_from_db()
    assert application.status == "approved" and application.decided_by == staff
    assert application.organization == organization
    assert (organization.name, organization.display_name, organization.kind) == ("Initech", "Initech LLC", "company")
    assert OrganizationRole.objects.get(organization=organization).user == acme.sam
    assert history(organization) == ["create organization, Owner sam", "application by sam approved"]
    (mail,) = outbox
    assert mail.to == ["sam@example.com"] and "approved" in mail.subject
    assert "/manage/organization/initech/" in mail.body
    with pytest.raises(ModerationError, match="already approved"):
        services.applications.approve(application, staff)


def test_a_declined_application_mails_the_reason_and_frees_the_name(acme, outbox, deliver):
    application = services.applications.apply(acme.sam, name="Hooli", display_name="Hooli")
    with pytest.raises(ModerationError, match="reason is required"):
        services.applications.decline(application, None, " ")
    with deliver():
        services.applications.decline(application, None, "Please use your company's name")
    (mail,) = outbox
    assert "declined" in mail.subject and "Please use your company's name" in mail.body
    assert not Organization.objects.filter(name="Hooli").exists()
    assert services.check_name("hooli") == ("hooli", "hooli")  # declined: no claim left


def test_approving_refuses_a_name_taken_meanwhile(acme):
    application = services.applications.apply(acme.sam, name="late-name", display_name="Late")
    publish(acme.olga, "late-name", "1.0", kinds=("wheel",))
    with pytest.raises(ModerationError, match="is a project's name"):
        services.applications.approve(application, None)
    application.refresh_from_db()
    assert application.status == "pending"


def test_a_user_has_at_most_three_pending_applications(acme):
    for n in range(3):
        services.applications.apply(acme.sam, name=f"org-{n}", display_name="x")
    with pytest.raises(OrganizationError, match="3 applications waiting"):
        services.applications.apply(acme.sam, name="org-4", display_name="x")


def test_invitation_accept_decline_revoke_and_expiry(acme, outbox, deliver):
    with deliver():
        invitation, raw = services.members.invite(acme.org, acme.sam, "Manager", acme.olga)
    (mail,) = outbox
    assert mail.to == ["sam@example.com"] and f"/manage/organizations/invitations/{raw}/" in mail.body
    with pytest.raises(OrganizationError, match="already has a pending invitation"):
        services.members.invite(acme.org, acme.sam, "Member", acme.olga)
    with pytest.raises(OrganizationError, match="another account"):
        services.members.accept_invitation(invitation, acme.ivy)
    with deliver():
        services.members.accept_invitation(invitation, acme.sam)
    assert OrganizationRole.objects.get(organization=acme.org, user=acme.sam).role_name == "Manager"
    assert outbox[-1].to == ["olga@example.com"] and "sam accepted your invitation" in outbox[-1].body
    with pytest.raises(OrganizationError, match="already a member"):
        services.members.invite(acme.org, acme.sam, "Member", acme.olga)

    declined, _ = services.members.invite(acme.org, acme.ivy, "Member", acme.olga)
    services.members.decline_invitation(declined, acme.ivy)
    revoked, _ = services.members.invite(acme.org, acme.ivy, "Member", acme.olga)
    services.members.revoke_invitation(revoked, acme.olga)
    with pytest.raises(OrganizationError, match="no longer pending"):
        services.members.accept_invitation(revoked, acme.ivy)
    expired, _ = services.members.invite(acme.org, acme.ivy, "Member", acme.olga)
    OrganizationInvitation.objects.filter(pk=expired.pk).update(expires=timezone.now() - timedelta(seconds=1))
    with pytest.raises(OrganizationError, match="has expired. Ask an Owner of the organization acme"):
        services.members.accept_invitation(expired, acme.ivy)
    statuses = dict(OrganizationInvitation.objects.values_list("pk", "status"))
    assert [statuses[i.pk] for i in (invitation, declined, revoked, expired)] == [
        "accepted",
        "declined",
        "revoked",
        "expired",
    ]
    assert not OrganizationRole.objects.filter(user=acme.ivy).exists()
    assert history(acme.org)[-6:] == [
        "sam accepted the invitation, Manager",
        "invite Member ivy",
        "ivy declined the invitation, Member",
        "invite Member ivy",
        "revoke invitation Member ivy",
        "invite Member ivy",
    ]


def test_the_last_owner_can_neither_leave_nor_be_removed_nor_demoted(acme):
    olga = OrganizationRole.objects.get(user=acme.olga)
    with pytest.raises(OrganizationError, match="last Owner cannot leave"):
        services.members.remove_member(olga, acme.olga)
    with pytest.raises(OrganizationError, match="at least one Owner"):
        services.members.change_role(olga, "Member", acme.olga)
    services.members.change_role(OrganizationRole.objects.get(user=acme.mona), "Owner", acme.olga)
    services.members.remove_member(olga, acme.olga)  # now she may leave
    assert not OrganizationRole.objects.filter(user=acme.olga).exists()
    assert history(acme.org)[-1] == "olga left (Owner)"


def test_removing_a_member_removes_them_from_every_team_at_once(acme, outbox, deliver):
    with transaction.atomic():
        services.teams.add_member(Team.objects.get(name="leads"), acme.tim, acme.olga)
    with deliver():
        services.members.remove_member(OrganizationRole.objects.get(user=acme.tim), acme.olga)
    assert not acme.tim.team_memberships.exists()
    assert history(acme.org)[-1] == "remove Member tim, and from teams devs, leads"
    assert outbox[-1].to == ["tim@example.com"] and "removed you (Member)" in outbox[-1].body


def test_team_members_must_be_members_and_team_roles_are_journaled_on_the_project(acme):
    devs = Team.objects.get(name="devs")
    with pytest.raises(OrganizationError, match="not a member of acme"):
        services.teams.add_member(devs, acme.carl, acme.olga)
    with pytest.raises(OrganizationError, match="already has a team called"):
        services.teams.create_team(acme.org, "DEVS", acme.olga)
    services.teams.set_project_role(devs, acme.app, Role.MAINTAINER, acme.mona)
    services.teams.set_project_role(devs, acme.app, Role.OWNER, acme.mona)
    services.teams.remove_project_role(TeamProjectRole.objects.get(team=devs, project=acme.app), acme.mona)
    assert journal(acme.app)[-3:] == [
        "add team acme/devs as Maintainer",
        "change team acme/devs from Maintainer to Owner",
        "remove team acme/devs (Owner)",
    ]
    services.teams.delete_team(devs, acme.olga)
    assert journal(acme.lib)[-1] == "remove team acme/devs (Maintainer)"
    assert history(acme.org)[-1] == "delete team devs"


def test_moving_projects_in_and_out_is_journaled_and_out_makes_it_public(acme):
    assert "moved into organization acme" in journal(acme.lib)
    other = services.applications.create_organization("globex", acme.sam, None)
    with pytest.raises(OrganizationError, match="belongs to another organization"):
        services.projects.move_in(acme.lib, other, acme.sam)
    acme.lib.is_private = True
    acme.lib.save(update_fields=["is_private"])
    serial = acme.lib.last_serial
    services.projects.move_out(acme.lib, acme.olga)
    acme.lib.refresh_from_db()
    assert acme.lib.organization is None and acme.lib.is_private is False and acme.lib.last_serial > serial
    assert not TeamProjectRole.objects.filter(project=acme.lib).exists()
    assert journal(acme.lib)[-5:] == [
        "remove team acme/devs (Maintainer)",
        "remove team acme/leads (Owner)",
        "add Owner olga",
        "set public: moved out of its organization",
        "moved out of organization acme",
    ]
    with pytest.raises(OrganizationError, match="belongs to no organization"):
        services.projects.move_out(acme.lib, acme.olga)
    with pytest.raises(OrganizationError, match="no Owner of its own"):
        services.projects.move_out(acme.app, None)


def test_a_project_created_in_the_portal_follows_the_upload_name_rules(acme, settings):
    project = services.projects.create_project(acme.org, "acme-tools", acme.mona)
    assert project.organization == acme.org and project.roles.get().user == acme.mona
    assert journal(project) == ["create", "add Owner mona", "created in organization acme"]
    for name, problem in (
        ("acme-tools", "exists already"),
        ("acme-t00ls", "too similar"),
        ("os", "Standard Library"),
        ("globex", "an organization's name"),
        ("-x", "invalid value for Name"),
    ):
        if name == "globex":
            services.applications.create_organization("globex", acme.sam, None)
        with pytest.raises(OrganizationError, match=problem):
            services.projects.create_project(acme.org, name, acme.mona)
    services.moderation.freeze(acme.org, None, "review")
    with pytest.raises(OrganizationError, match="frozen"):
        services.projects.create_project(acme.org, "acme-later", acme.mona)


def test_the_last_owner_of_an_organization_cannot_delete_their_account(acme):
    from accounts import services as account_services

    assert account_services.sole_owner_projects(acme.olga) == [acme.org]
    with pytest.raises(account_services.AccountDeletionRefused):
        account_services.delete_account(acme.olga)
    services.members.change_role(OrganizationRole.objects.get(user=acme.mona), "Owner", acme.olga)
    assert account_services.sole_owner_projects(acme.olga) == []
    account_services.delete_account(acme.olga)
    assert OrganizationRole.objects.filter(organization=acme.org, role_name="Owner").get().user == acme.mona
