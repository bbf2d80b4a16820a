"""XML-RPC at POST /pypi: methods, serials/changelog, search, faults for bad input."""

import time
import xmlrpc.client

import pytest
from django.db import transaction

from accounts.tests.factories import UserFactory
from devtools.publish import publish
from packages import services
from packages.models import JournalEntry, Project, Role
from packages.services.journal import global_serial


def rpc(client, method, *params, raw=None):
    body = raw if raw is not None else xmlrpc.client.dumps(params, method, allow_none=False)
    response = client.post("/pypi", data=body, content_type="text/xml")
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/xml")
    (result,), _ = xmlrpc.client.loads(response.content)
    return result


def fault(client, method, *params, raw=None):
    with pytest.raises(xmlrpc.client.Fault) as info:
        rpc(client, method, *params, raw=raw)
    return info.value


@pytest.fixture
def projects(user, other_user):
    publish(user, "alpha", "1.0", metadata={"classifiers": ["Framework :: Django", "Topic :: Utilities"]})
    publish(user, "alpha", "2.0b1", kinds=("wheel",))
    publish(
        other_user,
        "Beta_Tool",
        "0.1",
        summary="Turbo encabulator helper",
        metadata={"classifiers": ["Topic :: Utilities"]},
    )
    with transaction.atomic():
        services.add_role(Project.objects.get(name="alpha"), other_user, Role.MAINTAINER, user)
    return Project.objects.order_by("name")


def test_list_packages_and_serials(client, projects):
    assert rpc(client, "list_packages") == ["alpha", "Beta_Tool"]
    serials = rpc(client, "list_packages_with_serial")
    assert serials == {p.name: p.last_serial for p in Project.objects.all()}
    assert rpc(client, "changelog_last_serial") == global_serial() == max(serials.values())


def test_package_releases_roles_and_user_packages(client, projects):
    assert rpc(client, "package_releases", "alpha") == ["1.0"]
    assert rpc(client, "package_releases", "alpha", True) == ["2.0b1", "1.0"]
    assert rpc(client, "package_releases", "no-such") == []
    assert rpc(client, "package_roles", "ALPHA") == [["Owner", "alice"], ["Maintainer", "bob"]]
    assert rpc(client, "user_packages", "bob") == [["Maintainer", "alpha"], ["Owner", "Beta_Tool"]]
    assert rpc(client, "user_packages", "nobody") == []


def test_release_urls_and_release_data(client, projects):
    files = rpc(client, "release_urls", "alpha", "1.0")
    assert sorted(f["filename"] for f in files) == ["alpha-1.0-py3-none-any.whl", "alpha-1.0.tar.gz"]
    wheel = next(f for f in files if f["packagetype"] == "bdist_wheel")
    assert wheel["url"].startswith("http://testserver/packages/")
    assert set(wheel["digests"]) == {"md5", "sha256", "blake2b_256"}
    assert isinstance(wheel["upload_time"], xmlrpc.client.DateTime)
    data = rpc(client, "release_data", "alpha", "1.0")
    assert data["name"] == "alpha" and data["version"] == "1.0" and data["stable_version"] == "1.0"
    assert data["classifiers"] == ["Framework :: Django", "Topic :: Utilities"]
    assert rpc(client, "release_data", "alpha", "9.9") == {}
    assert rpc(client, "release_urls", "alpha", "9.9") == []


def test_changelog_since_serial_is_ordered_and_complete(client, projects, user):
    start = rpc(client, "changelog_last_serial")
    alpha = Project.objects.get(name="alpha")
    with transaction.atomic():
        services.yank_release(alpha.releases.get(version="1.0"), "oops", user)
        services.unyank_release(alpha.releases.get(version="1.0"), user)
        services.remove_role(Role.objects.get(project=alpha, user__username="bob"), user)
        services.delete_project(Project.objects.get(name="Beta_Tool"), user)
    changes = rpc(client, "changelog_since_serial", start)
    ids = [c[4] for c in changes]
    assert ids == sorted(ids) and ids[0] > start and len(changes) == 4
    assert [(c[0], c[1], c[3]) for c in changes] == [
        ("alpha", "1.0", "yank release"),
        ("alpha", "1.0", "unyank release"),
        ("alpha", "", "remove Maintainer bob"),
        ("Beta_Tool", "", "remove project"),
    ]
    alpha.refresh_from_db()
    assert alpha.last_serial == ids[2]  # a project's last_serial is its newest journal id
    assert rpc(client, "changelog_last_serial") == ids[-1]
    assert isinstance(changes[0][2], int) and abs(changes[0][2] - time.time()) < 3600


def test_changelog_by_time_with_and_without_ids(client, projects):
    since = int(JournalEntry.objects.order_by("id").first().submitted_date.timestamp()) - 1
    with_ids = rpc(client, "changelog", since, True)
    assert len(with_ids) == JournalEntry.objects.count() and len(with_ids[0]) == 5
    assert len(rpc(client, "changelog", since)[0]) == 4
    assert rpc(client, "changelog", int(time.time()) + 60) == []


def test_browse_by_classifiers(client, projects):
    assert rpc(client, "browse", ["Topic :: Utilities"]) == [["alpha", "1.0"], ["Beta_Tool", "0.1"]]
    assert rpc(client, "browse", ["Topic :: Utilities", "Framework :: Django"]) == [["alpha", "1.0"]]
    assert fault(client, "browse", "Topic :: Utilities").faultCode == -32602


def test_search_works_and_is_capped(client, projects, settings, user):
    hits = rpc(client, "search", {"summary": "encabulator"})
    assert [(h["name"], h["version"]) for h in hits] == [("Beta_Tool", "0.1")]
    assert {h["name"] for h in rpc(client, "search", {"name": ["alpha", "beta"]}, "or")} == {"alpha", "Beta_Tool"}
    assert rpc(client, "search", {"name": ["alpha", "beta"]}, "and") == []
    for i in range(4):
        publish(user, f"cap-{i}", "1.0", kinds=("sdist",), summary="capped thing")
    settings.XMLRPC_SEARCH_LIMIT = 3
    assert len(rpc(client, "search", {"summary": "capped"})) == 3
    assert fault(client, "search", {"password": "x"}).faultCode == -32602


def test_quarantined_projects_are_invisible_but_their_quarantine_is_journaled(client, projects, user):
    start = rpc(client, "changelog_last_serial")
    with transaction.atomic():
        services.set_status(Project.objects.get(name="alpha"), "quarantined", user, "spam")
    changes = rpc(client, "changelog_since_serial", start)
    assert [c[0] for c in changes] == ["alpha"] and changes[0][3].startswith("project status active -> quarantined")
    assert rpc(client, "list_packages") == ["Beta_Tool"]
    assert "alpha" not in rpc(client, "list_packages_with_serial")
    assert rpc(client, "package_releases", "alpha", True) == []
    assert rpc(client, "release_urls", "alpha", "1.0") == []


@pytest.mark.django_db
def test_system_list_methods(client):
    names = rpc(client, "system.listMethods")
    assert {"list_packages_with_serial", "changelog_since_serial", "search", "browse", "release_data"} <= set(names)
    assert "since_serial" in rpc(client, "system.methodHelp", "changelog_since_serial")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw,code",
    [
        (b"<methodCall><methodName>list_packages", -32700),  # truncated
        (b"not xml at all", -32700),
        (
            b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><methodCall><methodName>list_packages"
            b"</methodName><params/></methodCall>",
            -32600,
        ),
        (b"<methodCall><params/></methodCall>", -32600),
    ],
)
def test_malformed_requests_get_faults(client, raw, code):
    assert fault(client, None, raw=raw).faultCode == code


@pytest.mark.django_db
def test_unknown_method_and_bad_arguments_get_faults(client):
    assert fault(client, "no_such_method").faultCode == -32601
    assert fault(client, "package_releases").faultCode == -32602  # missing argument
    assert fault(client, "changelog_since_serial", "abc").faultCode == -32602


@pytest.mark.django_db
def test_only_post_with_text_xml(client):
    response = client.get("/pypi")
    assert response.status_code == 405 and response["Allow"] == "POST"
    body = xmlrpc.client.dumps((), "list_packages")
    assert client.post("/pypi", data=body, content_type="application/json").status_code == 415
    slashed = client.post("/pypi/", data=body, content_type="text/xml; charset=utf-8")
    assert xmlrpc.client.loads(slashed.content)[0] == ([],)


def test_real_xmlrpc_client_over_http(index_url, transactional_db):
    owner = UserFactory(username="carol")
    publish(owner, "over-http", "3.1", kinds=("wheel",))
    proxy = xmlrpc.client.ServerProxy(f"{index_url}/pypi")
    assert proxy.list_packages_with_serial() == {"over-http": Project.objects.get().last_serial}
    assert proxy.package_roles("over-http") == [["Owner", "carol"]]
    with pytest.raises(xmlrpc.client.Fault):
        proxy.does_not_exist()
