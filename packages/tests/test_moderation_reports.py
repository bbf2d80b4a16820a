"""The "Report project as malware/spam" form: logged-in users only, rate limited, lands in the queue."""

import pytest

from packages.models import ProjectReport
from packages.tests.factories import ProjectFactory
from packages.views.reports import REPORTS_PER_HOUR

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(other_user):
    return ProjectFactory(name="Shady_Pkg", owner=other_user)


def test_report_needs_login(client, project):
    response = client.get("/project/shady-pkg/report/")
    assert response.status_code == 302 and "/account/login/" in response.url


def test_report_creates_queue_entry(client, user, project):
    client.force_login(user)
    assert b"Report Shady_Pkg" in client.get("/project/shady-pkg/report/").content
    response = client.post("/project/shady-pkg/report/", {"kind": "malware", "summary": "setup.py curls a binary"})
    assert response.status_code == 302 and response.url == "/project/shady-pkg/"
    report = ProjectReport.objects.get()
    assert (report.project, report.project_name, report.reporter, report.kind, report.status) == (
        project,
        "Shady_Pkg",
        user,
        "malware",
        "open",
    )


def test_report_validates_and_404s_for_unknown_projects(client, user, project):
    client.force_login(user)
    response = client.post("/project/shady-pkg/report/", {"kind": "virus", "summary": "short"})
    assert response.status_code == 200 and not ProjectReport.objects.exists()
    assert b"describe the problem" in response.content
    assert client.get("/project/no-such-pkg/report/").status_code == 404


def test_quarantined_project_can_only_be_reported_by_those_who_see_it(client, user, project):
    project.status = "quarantined"
    project.save()
    client.force_login(user)
    assert client.get("/project/shady-pkg/report/").status_code == 404


def test_reports_are_rate_limited(client, user, project):
    client.force_login(user)
    for number in range(REPORTS_PER_HOUR):
        response = client.post("/project/shady-pkg/report/", {"kind": "spam", "summary": f"spam links #{number}"})
        assert response.status_code == 302
    response = client.post("/project/shady-pkg/report/", {"kind": "spam", "summary": "one more spam report"})
    assert response.status_code == 429 and b"at most" in response.content
    assert ProjectReport.objects.count() == REPORTS_PER_HOUR
