"""Collaborators: invitations (accept, decline, expire, revoke), role changes, removal, the last Owner."""

import re
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.tests.factories import UserFactory
from devtools.publish import publish
from packages import services
from packages.models import JournalEntry, Project, Role, RoleInvitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(user):
    publish(user, "proj", "1.0", kinds=("wheel",))
    return Project.objects.get(name="proj")


@pytest.fixture
def invitee(db):
    return UserFactory(username="ivy")


def invite(client, capture, who, role="Maintainer"):
    with capture(execute=True):
        return client.post("/manage/project/proj/collaborators/invite/", {"who": who, "role_name": role})


def test_invite_by_username_mail_and_accept(
    client, user, project, invitee, django_capture_on_commit_callbacks, mailoutbox
):
    client.force_login(user)
    response = invite(client, django_capture_on_commit_callbacks, "ivy")
    assert response.status_code == 302
    invitation = RoleInvitation.objects.get(project=project, invitee=invitee)
    assert invitation.status == "pending" and invitation.role_name == "Maintainer"
    assert invitation.expires > timezone.now() + timedelta(hours=71)
    assert JournalEntry.objects.filter(project=project).first().action == "invite Maintainer ivy"
    assert [m.to for m in mailoutbox] == [["ivy@example.com"]]
    token = re.search(r"/manage/invitations/([\w-]+)/", mailoutbox[0].body).group(1)
    assert invitation.token != token  # only the hash is stored

    client.force_login(invitee)
    page = client.get(f"/manage/invitations/{token}/")
    assert page.status_code == 200 and "proj" in page.content.decode()
    assert "proj" in client.get("/manage/invitations/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/manage/invitations/{invitation.pk}/accept/")
    assert response["Location"] == "/manage/project/proj/releases/"
    assert Role.objects.get(project=project, user=invitee).role_name == "Maintainer"
    invitation.refresh_from_db()
    assert invitation.status == "accepted"
    assert JournalEntry.objects.filter(project=project).first().action == "add Maintainer ivy"
    assert mailoutbox[-1].to == ["alice@example.com"] and "accepted your invitation" in mailoutbox[-1].body


def test_invite_by_email_as_owner(client, user, project, invitee, django_capture_on_commit_callbacks):
    client.force_login(user)
    invite(client, django_capture_on_commit_callbacks, "IVY@example.com", "Owner")
    assert RoleInvitation.objects.get(invitee=invitee).role_name == "Owner"


@pytest.mark.parametrize(
    "who,message",
    [
        ("nobody-here", "No active account"),
        ("alice", "already a collaborator"),
    ],
)
def test_invite_errors_are_shown(client, user, project, who, message, django_capture_on_commit_callbacks):
    client.force_login(user)
    response = invite(client, django_capture_on_commit_callbacks, who)
    assert response.status_code == 400 and message in response.content.decode()
    assert not RoleInvitation.objects.exists()


def test_unverified_email_does_not_identify_anyone(client, user, project, django_capture_on_commit_callbacks):
    UserFactory(username="squatter", email="victim@example.com", verified_email=False)
    client.force_login(user)
    response = invite(client, django_capture_on_commit_callbacks, "victim@example.com")
    assert response.status_code == 400 and "No active account" in response.content.decode()
    assert not RoleInvitation.objects.exists()


def test_second_pending_invitation_is_refused(client, user, project, invitee, django_capture_on_commit_callbacks):
    client.force_login(user)
    invite(client, django_capture_on_commit_callbacks, "ivy")
    response = invite(client, django_capture_on_commit_callbacks, "ivy")
    assert response.status_code == 400 and "pending invitation" in response.content.decode()
    assert RoleInvitation.objects.count() == 1


def test_decline(client, user, project, invitee):
    with transaction.atomic():
        invitation, _ = services.invite(project, invitee, "Maintainer", user)
    client.force_login(invitee)
    client.post(f"/manage/invitations/{invitation.pk}/decline/")
    invitation.refresh_from_db()
    assert invitation.status == "declined"
    assert not Role.objects.filter(user=invitee).exists()
    assert client.post(f"/manage/invitations/{invitation.pk}/accept/").status_code == 302
    assert not Role.objects.filter(user=invitee).exists()  # a declined invitation cannot be accepted later


def test_expired_invitation_cannot_be_accepted(client, user, project, invitee):
    with transaction.atomic():
        invitation, _ = services.invite(project, invitee, "Owner", user)
    RoleInvitation.objects.filter(pk=invitation.pk).update(expires=timezone.now() - timedelta(seconds=1))
    client.force_login(invitee)
    assert "no pending invitations" in client.get("/manage/invitations/").content.decode()
    client.post(f"/manage/invitations/{invitation.pk}/accept/")
    invitation.refresh_from_db()
    assert invitation.status == "expired"
    assert not Role.objects.filter(user=invitee).exists()
    # An expired invitation does not block a new one.
    with transaction.atomic():
        services.invite(project, invitee, "Owner", user)


def test_revoke(client, user, project, invitee):
    with transaction.atomic():
        invitation, _ = services.invite(project, invitee, "Maintainer", user)
    client.force_login(user)
    client.post(f"/manage/project/proj/invitations/{invitation.pk}/revoke/")
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    client.force_login(invitee)
    client.post(f"/manage/invitations/{invitation.pk}/accept/")
    assert not Role.objects.filter(user=invitee).exists()


def test_change_role_and_mail(client, user, project, invitee, django_capture_on_commit_callbacks, mailoutbox):
    with transaction.atomic():
        role = services.add_role(project, invitee, "Maintainer", user)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/manage/project/proj/collaborators/{role.pk}/role/", {"role_name": "Owner"})
    role.refresh_from_db()
    assert role.role_name == "Owner"
    assert JournalEntry.objects.filter(project=project).first().action == "change Maintainer ivy to Owner"
    assert mailoutbox[0].to == ["ivy@example.com"] and "from Maintainer to Owner" in mailoutbox[0].body


def test_remove_collaborator_and_mail(client, user, project, invitee, django_capture_on_commit_callbacks, mailoutbox):
    with transaction.atomic():
        role = services.add_role(project, invitee, "Maintainer", user)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/manage/project/proj/collaborators/{role.pk}/remove/")
    assert not Role.objects.filter(pk=role.pk).exists()
    assert JournalEntry.objects.filter(project=project).first().action == "remove Maintainer ivy"
    assert "removed you" in mailoutbox[0].body


def test_last_owner_cannot_leave_be_demoted_or_removed(client, user, project):
    own = Role.objects.get(project=project, user=user)
    client.force_login(user)
    page = client.get("/manage/project/proj/collaborators/").content.decode()
    assert "The last Owner cannot leave" in page
    client.post(f"/manage/project/proj/collaborators/{own.pk}/remove/")
    client.post(f"/manage/project/proj/collaborators/{own.pk}/role/", {"role_name": "Maintainer"})
    own.refresh_from_db()
    assert own.role_name == "Owner"


def test_owner_can_leave_when_another_owner_exists(client, user, project, invitee):
    with transaction.atomic():
        services.add_role(project, invitee, "Owner", user)
    own = Role.objects.get(project=project, user=user)
    client.force_login(user)
    response = client.post(f"/manage/project/proj/collaborators/{own.pk}/remove/")
    assert response["Location"] == "/manage/projects/"
    assert list(Role.objects.filter(project=project).values_list("user__username", flat=True)) == ["ivy"]


def test_maintainer_sees_collaborators_without_controls(client, user, project, invitee):
    with transaction.atomic():
        services.add_role(project, invitee, "Maintainer", user)
    client.force_login(invitee)
    html = client.get("/manage/project/proj/collaborators/").content.decode()
    assert "alice" in html and "Invite a collaborator" not in html and "Change role" not in html
    assert "Leave project" in html
