"""Cache management of upstream files: what is cached per upstream and project, purge and refresh
(commands and admin), the retention policy, the last-downloaded mark, and storage kept in step
with the rows when a process dies midway."""

import hashlib
import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from devtools.publish import publish
from devtools.testing.staff import staff_login
from outbox.models import Message
from packages import orphans
from packages.staff_groups import ADMINS
from packages.storage import package_storage
from packages.tests.test_admin import run_action, staff_member
from upstream import files, pages, retention, stored
from upstream.models import UpstreamFile, UpstreamIndex, UpstreamProject

pytestmark = pytest.mark.django_db


def cache_file(name, data, upstream="env", days_ago=0, filename=None):
    """An upstream file as a first download leaves it: the object, then its row."""
    sha = hashlib.sha256(data).hexdigest()
    filename = filename or f"{name.replace('-', '_')}-1.0-py3-none-any.whl"
    path = files.storage_path(sha, filename)
    package_storage().save(path, ContentFile(data))
    UpstreamProject.objects.get_or_create(normalized_name=name, defaults={"upstream": upstream})
    when = timezone.now() - timedelta(days=days_ago)
    return UpstreamFile.objects.create(
        path=path,
        normalized_name=name,
        upstream=upstream,
        filename=filename,
        sha256=sha,
        size=len(data),
        stored_at=when,
        last_downloaded_at=when,
    )


@pytest.fixture
def admin_client(client):
    staff_login(client, staff_member(ADMINS, "an-admin"), DEFAULT_PASSWORD)
    return client


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), str(exc)
    return out.getvalue(), None


def exists(row):
    return package_storage().exists(row.path)


def test_storage_path_is_in_the_folder_the_cache_owns():
    assert files.storage_path("ab" * 32, "x-1.0.tar.gz").startswith(stored.FOLDER + "/")


def test_summary_per_upstream_and_project(settings, own_package_storage):
    settings.UPSTREAM_INDEX_URL = "http://127.0.0.1:9/simple/"
    UpstreamIndex.objects.create(name="corp", url="http://127.0.0.1:9/corp/", priority=1)
    cache_file("pub-a", b"a" * 10)
    cache_file("pub-a", b"b" * 5, filename="pub_a-1.0.tar.gz")
    cache_file("pub-b", b"c" * 7, upstream="corp")
    cache_file("pub-old", b"d" * 3, upstream="gone")
    UpstreamProject.objects.create(normalized_name="nobody-has-it", is_miss=True)

    by_name = {u.upstream: u for u in stored.summary()}
    assert [u.upstream for u in stored.summary()] == ["env", "corp", "gone"]
    assert (by_name["env"].projects, by_name["env"].files, by_name["env"].bytes) == (1, 2, 15)
    assert (by_name["corp"].files, by_name["corp"].bytes, by_name["corp"].configured) == (1, 7, True)
    assert not by_name["gone"].configured
    assert stored.misses() == 1
    (project,) = stored.projects(names=["pub-a"])
    assert (project.files, project.bytes, project.upstream) == (2, 15, "env")

    out, error = run("upstream_cache", "list")
    assert error is None
    assert "env\t1\t2\t15\t" in out and "corp\t1\t1\t7\t" in out and "gone (no longer configured)\t1\t1\t3" in out
    assert "Cached: 4 files, 25 bytes; 1 names no upstream knows." in out
    out, error = run("upstream_cache", "list", "--upstream", "corp")
    assert "pub-b\tcorp\t" in out and "pub-a" not in out
    assert run("upstream_cache", "list", "Not-Cached")[1] == "Not cached from an upstream: not-cached"


def test_purge_deletes_rows_then_objects_and_expires_the_page(
    settings, own_package_storage, django_capture_on_commit_callbacks
):
    settings.UPSTREAM_INDEX_URL = "http://127.0.0.1:9/simple/"
    wheel = cache_file("pub-a", b"wheel bytes")
    sdist = cache_file("pub-a", b"sdist bytes", filename="pub_a-1.0.tar.gz")
    other = cache_file("pub-b", b"other bytes")
    with django_capture_on_commit_callbacks(execute=True):
        out, error = run("upstream_cache", "purge", "Pub_A")
    assert error is None and "pub-a: purged 2 cached files (22 bytes)" in out
    assert not UpstreamFile.objects.filter(normalized_name="pub-a").exists()
    assert not exists(wheel) and not exists(sdist)
    assert exists(other) and UpstreamFile.objects.filter(pk=other.pk).exists()
    row = UpstreamProject.objects.get(normalized_name="pub-a")  # the name's claim stays
    assert timezone.now() - row.fetched_at > timedelta(seconds=settings.UPSTREAM_CACHE_SECONDS)
    assert not Message.objects.exists()  # the deletion ran after commit
    assert run("upstream_cache", "purge")[1] == "Name the projects to purge."
    assert run("upstream_cache", "purge", "never-cached")[1] == "Not cached from an upstream: never-cached"


def test_purge_killed_after_commit_leaves_a_message_the_relay_finishes(
    settings, own_package_storage, django_capture_on_commit_callbacks
):
    """The process dies after the rows' transaction committed and before the after-commit delete:
    the objects are left, and the outbox row that deletes them, which the periodic relay runs."""
    row = cache_file("pub-a", b"wheel bytes")
    with django_capture_on_commit_callbacks(execute=False):  # the dispatch never happens
        stored.purge_project("pub-a")
    assert not UpstreamFile.objects.exists() and exists(row)
    (message,) = Message.objects.all()
    assert message.kind == "upstream.stored.delete_unreferenced"
    Message.objects.update(due=timezone.now() - timedelta(seconds=1))  # its lease is over
    call_command("run_periodic", "outbox", stdout=io.StringIO())
    assert not exists(row) and not Message.objects.exists()


def test_deletion_keeps_an_object_stored_again_since(own_package_storage):
    """A download that stored the file again after the eviction keeps it: rows decide."""
    row = cache_file("pub-a", b"wheel bytes")
    stored.delete_unreferenced([row.path])
    assert exists(row)
    local = publish(UserFactory(), "local-pkg", "1.0", kinds=("wheel",)).files.get()
    stored.delete_unreferenced([local.path])  # outside upstream/: never deleted here
    assert package_storage().exists(local.path)


def test_storage_sweep_deletes_an_object_whose_row_never_came(own_package_storage):
    """A first download killed between storing the object and writing its row leaves an orphan
    that the storage sweep removes after the grace period; objects with rows stay."""
    kept = cache_file("pub-a", b"kept")
    orphan = files.storage_path("f" * 64, "pub_a-2.0-py3-none-any.whl")
    package_storage().save(orphan, ContentFile(b"no row"))
    assert [path for path, _ in orphans.find_orphans()] == [orphan]
    removed, young = orphans.remove_orphans(orphans.find_orphans())
    assert (removed, young) == ([], [orphan])  # younger than ORPHAN_GRACE_SECONDS
    removed, _ = orphans.remove_orphans(orphans.find_orphans(), grace_seconds=0)
    assert removed == [orphan]
    assert exists(kept) and not package_storage().exists(orphan)


def test_refresh_asks_the_upstream_again(client, settings, upstream, own_package_storage):
    settings.UPSTREAM_INDEX_URL = upstream.url
    upstream.add("pub-a", "1.0")
    assert client.get("/simple/pub-a/").status_code == 200
    upstream.add("pub-a", "2.0")
    assert client.get("/simple/pub-a/").status_code == 200
    assert upstream.requests.count("/simple/pub-a/") == 1  # fresh: from the cache
    out, error = run("upstream_cache", "refresh", "pub-a")
    assert error is None and "pub-a: 2 files on the page from env" in out
    assert upstream.requests.count("/simple/pub-a/") == 2
    assert b"pub_a-2.0" in client.get("/simple/pub-a/").content
    upstream.stop()
    out, error = run("upstream_cache", "refresh", "pub-a")
    assert error == "Not refreshed: pub-a"
    assert b"pub_a-2.0" in client.get("/simple/pub-a/").content  # the last copy stays


def test_retention_by_age_never_touches_local_files(settings, own_package_storage, django_capture_on_commit_callbacks):
    settings.UPSTREAM_RETENTION_DAYS = 30
    old = cache_file("pub-old", b"old", days_ago=31)
    recent = cache_file("pub-new", b"recent", days_ago=29)
    local = publish(UserFactory(), "local-pkg", "1.0", kinds=("wheel",)).files.get()

    out, error = run("upstream_cache", "retention", "--dry-run")
    assert "would evict 1 files (3 bytes) not downloaded for 30 days" in out
    assert exists(old)
    with django_capture_on_commit_callbacks(execute=True):
        summary = retention.run_periodic()
    assert summary == (
        "upstream-retention: evicted 1 files (3 bytes) not downloaded for 30 days and 0 files (0 bytes) "
        "above no size limit; 6 bytes cached"
    )
    assert not UpstreamFile.objects.filter(pk=old.pk).exists() and not exists(old)
    assert exists(recent)
    assert package_storage().exists(local.path)


def test_retention_by_size_evicts_least_recently_downloaded_first(
    settings, own_package_storage, django_capture_on_commit_callbacks
):
    settings.UPSTREAM_CACHE_MAX_BYTES = 25
    rows = [cache_file(f"pub-{n}", bytes([n]) * 10, days_ago=days) for n, days in [(1, 1), (2, 5), (3, 3), (4, 0)]]
    local = publish(UserFactory(), "local-pkg", "1.0", kinds=("wheel",)).files.get()
    outcome = retention.run(dry_run=True)
    assert (outcome.over_size.files, outcome.over_size.bytes, outcome.remaining_bytes) == (2, 20, 20)
    assert UpstreamFile.objects.count() == 4
    with django_capture_on_commit_callbacks(execute=True):
        outcome = retention.run()
    left = set(UpstreamFile.objects.values_list("normalized_name", flat=True))
    assert left == {"pub-1", "pub-4"}  # pub-2 (5 days) and pub-3 (3 days) went first
    assert [exists(r) for r in rows] == [True, False, False, True]
    assert package_storage().exists(local.path)
    assert retention.run().over_size.files == 0  # now under the limit


def test_retention_off_by_default(settings):
    assert (settings.UPSTREAM_RETENTION_DAYS, settings.UPSTREAM_CACHE_MAX_BYTES) == (0, 0)
    out = io.StringIO()
    call_command("run_periodic", "upstream-retention", stdout=out)
    assert "upstream-retention: off" in out.getvalue()


def test_touch_moves_last_downloaded_at_most_once_a_day(own_package_storage):
    row = cache_file("pub-a", b"bytes", days_ago=3)
    stored.touch(row.path)
    row.refresh_from_db()
    assert timezone.now() - row.last_downloaded_at < timedelta(minutes=1)
    with CaptureQueriesContext(connection) as queries:
        for _ in range(5):
            stored.touch(row.path)
    assert len(queries) == 0  # the day's marker is in the shared cache: no database work


def test_pages_expire_keeps_the_claim():
    UpstreamProject.objects.create(normalized_name="pub-a", upstream="env")
    pages.expire("pub-a")
    row = UpstreamProject.objects.get(normalized_name="pub-a")
    assert pages.upstream_claims("pub-a").exists() and not row.is_miss


def test_admin_summary_and_applying_retention(admin_client, settings, own_package_storage):
    settings.UPSTREAM_INDEX_URL = "http://127.0.0.1:9/simple/"
    settings.UPSTREAM_RETENTION_DAYS = 30
    old = cache_file("pub-old", b"o" * 2048, days_ago=40)
    cache_file("pub-new", b"n" * 1024)
    assert 'href="/admin/upstream/upstreamindex/cache/"' in admin_client.get("/admin/upstream/upstreamindex/").text
    page = admin_client.get("/admin/upstream/upstreamindex/cache/").text
    assert '<a href="/admin/upstream/upstreamproject/?upstream=env">env</a>' in page
    assert "<td>2</td><td>2</td>" in page and 'title="3072 bytes"' in page
    assert "Files not downloaded for 30 days are evicted." in page
    assert "would evict 1 files (2048 bytes) not downloaded for 30 days" in page
    response = admin_client.post("/admin/upstream/upstreamindex/cache/", follow=True)
    assert "evicted 1 files (2048 bytes)" in response.text
    assert not UpstreamFile.objects.filter(pk=old.pk).exists()


def test_admin_view_only_staff_cannot_apply_retention(client, settings, own_package_storage):
    from django.contrib.auth.models import Permission

    settings.UPSTREAM_RETENTION_DAYS = 30
    cache_file("pub-old", b"o", days_ago=40)
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(*Permission.objects.filter(codename__in=["view_upstreamindex", "view_upstreamproject"]))
    staff_login(client, viewer, DEFAULT_PASSWORD)
    assert "Apply the retention policy now" not in client.get("/admin/upstream/upstreamindex/cache/").text
    client.post("/admin/upstream/upstreamindex/cache/")
    assert UpstreamFile.objects.count() == 1


def test_admin_purge_and_refresh_actions(
    admin_client, settings, upstream, own_package_storage, django_capture_on_commit_callbacks
):
    from django.contrib.admin.models import LogEntry

    settings.UPSTREAM_INDEX_URL = upstream.url
    upstream.add("pub-a", "1.0")
    wheel = cache_file("pub-a", b"w" * 100)
    project = UpstreamProject.objects.get(normalized_name="pub-a")
    listing = admin_client.get("/admin/upstream/upstreamproject/").text
    assert '<td class="field-cached_files">1</td><td class="field-cached_bytes">100</td>' in listing

    form = {"action": "purge_projects", "_selected_action": [project.pk]}
    confirm = admin_client.post("/admin/upstream/upstreamproject/", form)
    assert "Deletes the cached files of these projects" in confirm.text and exists(wheel)
    with django_capture_on_commit_callbacks(execute=True):
        done = run_action(admin_client, "upstream/upstreamproject", "purge_projects", [project])
    assert "Deleted 1 cached files (100 bytes)." in admin_client.get(done["Location"]).text
    assert not exists(wheel) and not UpstreamFile.objects.exists()

    form = {"action": "refresh_projects", "_selected_action": [project.pk]}
    done = admin_client.post("/admin/upstream/upstreamproject/", form, follow=True)
    assert "Asked the upstreams again for 1 projects." in done.text
    assert upstream.requests == ["/simple/pub-a/"]
    messages = set(LogEntry.objects.values_list("change_message", flat=True))
    assert messages == {"Purged 1 cached files (100 bytes)", "Refreshed the upstream page"}


def test_downloads_of_cached_files_move_the_mark_once_a_day(client, settings, upstream, own_package_storage):
    settings.UPSTREAM_INDEX_URL = upstream.url
    filename = upstream.add("pub-a", "1.0")
    _, data, sha = upstream.projects["pub-a"][0]
    client.get("/simple/pub-a/")
    url = files.url_path("pub-a", sha, filename)
    assert b"".join(client.get(url).streaming_content) == data  # the first download: the row is new
    three_days_ago = timezone.now() - timedelta(days=3)
    UpstreamFile.objects.update(last_downloaded_at=three_days_ago)
    assert b"".join(client.get(url).streaming_content) == data  # from storage: marked
    (row,) = UpstreamFile.objects.all()
    assert timezone.now() - row.last_downloaded_at < timedelta(minutes=1)
    UpstreamFile.objects.update(last_downloaded_at=three_days_ago)
    client.get(url)
    assert UpstreamFile.objects.get().last_downloaded_at == three_days_ago  # marked today already
