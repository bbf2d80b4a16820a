"""Private projects on the pages people read (issue 19) and in the counts (issue 21): project and
release pages, search, RSS, the home page, profiles and /stats/ show a private project only to
those who may see it, and answer 404 (never 403) to everyone else without naming it."""

import base64

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from devtools.testing.private import organization, private_world
from packages import services
from packages.models import JournalEntry, Project
from packages.permissions import can_set_private
from stats.models import DailyDownloads
from stats.services import project_downloads, today, top_projects, totals


@pytest.fixture
def world(db):
    return private_world()


def _as(client, user):
    if user is not None:
        client.force_login(user)
    return client


def _leaks(world, body):
    return [name for name in world.names if name in body] + (["Top secret"] if "Top secret" in body else [])


PAGES = ["/project/{name}/", "/project/{name}/1.0/", "/rss/project/{name}/releases.xml", "/project/{name}/report/"]
LISTINGS = ["/", "/search/?q=", "/search/?q=secret", "/search/?q=top&o=date", "/rss/updates.xml", "/rss/packages.xml"]


@pytest.mark.parametrize("who", ["anonymous", "stranger", "outsider"])
def test_pages_answer_404_and_listings_never_name_it(client, world, who):
    client = _as(client, None if who == "anonymous" else getattr(world, who))
    # The report form asks anonymous visitors to log in first, whatever the name.
    for page in PAGES if who != "anonymous" else PAGES[:-1]:
        response = client.get(page.format(name=world.project.normalized_name))
        assert response.status_code == 404, (page, who)
        assert _leaks(world, response.content.decode()) == [], page
    for listing in LISTINGS + [f"/user/{world.owner.username}/", "/stats/"]:
        response = client.get(listing)
        assert response.status_code == 200, listing
        assert _leaks(world, response.content.decode()) == [], (listing, who)


@pytest.mark.parametrize("who", ["owner", "member", "maintainer"])
def test_members_and_role_holders_see_its_pages_and_find_it_in_search(client, world, who):
    client = _as(client, getattr(world, who))
    for page in PAGES[:2]:
        response = client.get(page.format(name=world.project.normalized_name))
        assert response.status_code == 200, (page, who)
    body = client.get("/search/?q=secret").content.decode()
    assert f"/project/{world.project.normalized_name}/" in body
    # Feeds and /stats/ are shared documents: they stay public whoever reads them.
    for shared in ("/rss/updates.xml", "/stats/"):
        assert _leaks(world, client.get(shared).content.decode()) == [], shared


def test_its_downloads_are_shown_on_its_page_only_to_those_who_see_it_and_never_counted_in_stats(client, world):
    DailyDownloads.objects.create(file=world.wheel, day=today(), installer="pip", python="3.12", count=7)
    public_wheel = world.public.releases.get().files.get(packagetype="bdist_wheel")
    DailyDownloads.objects.create(file=public_wheel, day=today(), installer="pip", python="3.12", count=3)
    assert project_downloads(world.project.pk)["last_day"] == 7
    assert [name for name, _, _ in top_projects()] == [world.public.name]
    assert totals()["downloads"] == 3 and totals()["projects"] == 1
    assert totals()["files"] == world.public.releases.get().files.count()
    # Staff's export (a shell on the index) ranks private projects too.
    assert [name for name, _, _ in top_projects(include_private=True)] == [world.project.name, world.public.name]

    from django.core.cache import cache

    from stats.services import counts_changed

    counts_changed()
    cache.clear()
    document = f"/pypi/{world.project.normalized_name}/json"
    assert client.get(document).status_code == 404
    member = "Basic " + base64.b64encode(f"__token__:{world.tokens['member']}".encode()).decode()
    assert client.get(document, HTTP_AUTHORIZATION=member).json()["info"]["downloads"]["last_day"] == 7

    page = f"/project/{world.project.normalized_name}/"
    assert client.get(page).status_code == 404
    shown = _as(client, world.member).get(page).content.decode()
    assert "<strong>7</strong> today" in shown and "<strong>private</strong>" in shown


def test_set_private_is_journaled_and_refused_outside_a_private_capable_organization(world):
    entry = JournalEntry.objects.filter(project=world.project).first()
    assert entry.action == "set private" and entry.submitted_by == world.owner
    assert world.project.last_serial == entry.id

    plain = organization("plain-org", private_capable=False, owner=world.owner)
    lone = Project.objects.get(pk=world.public.pk)
    with pytest.raises(services.PrivacyRefused):
        services.set_private(lone, True, world.owner)  # in no organization
    lone.organization = plain
    lone.save()
    with pytest.raises(services.PrivacyRefused):
        services.set_private(lone, True, world.owner)  # organization not private-capable
    assert not Project.objects.get(pk=lone.pk).is_private
    services.set_private(world.project, False, world.owner, "open-sourced")
    assert JournalEntry.objects.filter(project=world.project).first().action == "set public: open-sourced"


def test_only_the_organizations_owners_may_set_it(world):
    assert can_set_private(world.owner, world.project)
    for who in (world.member, world.maintainer, world.stranger, world.outsider, None):
        assert not can_set_private(who, world.project)


def test_set_private_command(world, capsys):
    call_command("set_private", world.project.name, "--off")
    assert not Project.objects.get(pk=world.project.pk).is_private
    call_command("set_private", world.project.name, "--by", world.owner.username)
    assert Project.objects.get(pk=world.project.pk).is_private
    assert "now private" in capsys.readouterr().out
    with pytest.raises(CommandError, match="private-capable"):
        call_command("set_private", world.public.name)


def test_portal_settings_let_the_organizations_owner_switch_it(client, world):
    settings_url = f"/manage/project/{world.project.normalized_name}/settings/"
    toggle = f"/manage/project/{world.project.normalized_name}/settings/privacy/"
    owner = _as(client, world.owner)
    assert "Make public" in owner.get(settings_url).content.decode()
    response = owner.post(toggle, {"private": "0", "reason": "release day"})
    assert response.status_code == 302
    assert not Project.objects.get(pk=world.project.pk).is_private
    assert owner.post(toggle, {"private": "1"}).status_code == 302
    assert Project.objects.get(pk=world.project.pk).is_private


@pytest.mark.parametrize("who", ["maintainer", "member", "stranger"])
def test_portal_privacy_switch_refuses_everyone_else_and_changes_nothing(client, world, who):
    toggle = f"/manage/project/{world.project.normalized_name}/settings/privacy/"
    response = _as(client, getattr(world, who)).post(toggle, {"private": "0"})
    assert response.status_code in (403, 404)
    assert Project.objects.get(pk=world.project.pk).is_private


def test_staff_switch_it_in_the_admin_with_a_reason_and_the_admin_refuses_other_projects(client, world):
    from django.contrib.admin.models import LogEntry

    from accounts.tests.factories import DEFAULT_PASSWORD
    from devtools.testing.staff import staff_login
    from packages.staff_groups import MODERATORS
    from packages.tests.test_admin import run_action, staff_member

    staff_login(client, staff_member(MODERATORS, "a-moderator"), DEFAULT_PASSWORD)
    change = client.get(f"/admin/packages/project/{world.project.pk}/change/").content.decode()
    assert "acme" in change  # the organization and the flag are shown (read-only: actions change them)
    run_action(client, "packages/project", "make_public", [world.project], reason="open-sourced")
    assert not Project.objects.get(pk=world.project.pk).is_private
    assert LogEntry.objects.filter(change_message="Made public: open-sourced").exists()
    run_action(client, "packages/project", "make_private", [world.project, world.public], reason="oops")
    assert Project.objects.get(pk=world.project.pk).is_private
    assert not Project.objects.get(pk=world.public.pk).is_private  # in no private-capable organization


def test_the_one_project_check_and_the_listing_filter_agree(world):
    """user_can_see (plain SQL, per request) and readable_by_user (listings) are one rule."""
    from packages.permissions import readable_by_user, user_can_see

    for user in (world.owner, world.member, world.maintainer, world.stranger, world.outsider, None):
        listed = Project.objects.filter(readable_by_user(user), pk=world.project.pk).exists()
        assert user_can_see(user, world.project) == listed
        assert listed == (user in (world.owner, world.member, world.maintainer))
