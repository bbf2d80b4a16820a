"""The Publishing pages (project Owners, and pending publishers on the account) and the
project page's "Trusted publisher" badge."""

import pytest

from devtools.publish import publish
from oidc.models import OIDCIssuer, TrustedPublisher
from packages.models import File, JournalEntry, Role


@pytest.fixture
def project(user):
    return publish(user, "pub-demo", "1.0", kinds=("wheel",)).project


@pytest.fixture
def github():
    return OIDCIssuer.objects.get(url="https://token.actions.githubusercontent.com")


def test_owner_adds_and_removes_a_publisher(
    client, user, project, github, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(user)
    page = client.get("/manage/project/pub-demo/publishing/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Add a GitHub Actions publisher" in html and "Add a GitLab CI/CD publisher" in html
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/manage/project/pub-demo/publishing/add/",
            {
                "issuer": github.pk,
                "claim_repository": "octo/pub-demo",
                "claim_workflow": "release.yml",
                "claim_environment": "",
            },
        )
    assert response.status_code == 302
    publisher = TrustedPublisher.objects.get(project=project)
    assert publisher.claims == {"repository": "octo/pub-demo", "workflow": "release.yml"}
    assert (
        "GitHub Actions: octo/pub-demo release.yml"
        in client.get("/manage/project/pub-demo/publishing/").content.decode()
    )
    assert [m.subject for m in mailoutbox] == ["[Package Index] Trusted publisher added on pub-demo"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/manage/project/pub-demo/publishing/{publisher.pk}/remove/")
    assert response.status_code == 302 and not TrustedPublisher.objects.exists()
    assert JournalEntry.objects.filter(project=project, action__startswith="remove trusted publisher").exists()
    assert len(mailoutbox) == 2


def test_bad_claims_are_a_400_with_the_reason(client, user, project, github):
    client.force_login(user)
    response = client.post(
        "/manage/project/pub-demo/publishing/add/",
        {"issuer": github.pk, "claim_repository": "no-slash", "claim_workflow": "release.yml"},
    )
    assert response.status_code == 400
    assert "repository must be &#x27;owner/name&#x27;" in response.content.decode()
    response = client.post("/manage/project/pub-demo/publishing/add/", {"issuer": "x"})
    assert response.status_code == 400
    assert not TrustedPublisher.objects.exists()


def test_only_owners_manage_publishers(client, project, other_user, github):
    client.force_login(other_user)
    assert client.get("/manage/project/pub-demo/publishing/").status_code == 404
    Role.objects.create(user=other_user, project=project, role_name=Role.MAINTAINER)
    assert client.get("/manage/project/pub-demo/publishing/").status_code == 403
    response = client.post(
        "/manage/project/pub-demo/publishing/add/",
        {"issuer": github.pk, "claim_repository": "octo/x", "claim_workflow": "release.yml"},
    )
    assert response.status_code == 403 and not TrustedPublisher.objects.exists()


def test_pending_publishers_on_the_account_page(client, user, project, github):
    client.force_login(user)
    assert client.get("/manage/account/publishing/").status_code == 200
    response = client.post(
        "/manage/account/publishing/add/",
        {"project_name": "pub-demo", "issuer": github.pk, "claim_repository": "octo/x", "claim_workflow": "r.yml"},
    )
    assert response.status_code == 400 and "exists already" in response.content.decode()
    response = client.post(
        "/manage/account/publishing/add/",
        {"project_name": "Not-Yet-There", "issuer": github.pk, "claim_repository": "octo/x", "claim_workflow": "r.yml"},
    )
    assert response.status_code == 302
    pending = TrustedPublisher.objects.get(pending_name="not-yet-there")
    assert pending.added_by == user and pending.is_pending
    assert "not-yet-there" in client.get("/manage/account/publishing/").content.decode()
    assert client.post(f"/manage/account/publishing/{pending.pk}/remove/").status_code == 302
    assert not TrustedPublisher.objects.exists()


def test_project_page_shows_the_trusted_publisher_and_provenance(client, project):
    File.objects.filter(release__project=project).update(
        published_by="GitHub Actions: octo/pub-demo release.yml", provenance_sha256="0" * 64
    )
    html = client.get("/project/pub-demo/").content.decode()
    assert ">Trusted publisher</span>" in html and "GitHub Actions: octo/pub-demo release.yml" in html
    assert 'href="/integrity/pub-demo/1.0/pub_demo-1.0-py3-none-any.whl/provenance"' in html


def test_files_uploaded_by_people_have_no_badge(client, project):
    assert "Trusted publisher" not in client.get("/project/pub-demo/").content.decode()
