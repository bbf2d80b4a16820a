"""Every visible change writes a journal entry and moves the serial; storage and rows move together."""

import pytest
from django.db import transaction

from devtools.publish import publish
from packages import services
from packages.models import File, FilenameLog, JournalEntry, Project, Role
from packages.storage import package_storage


def _stored(path):
    return package_storage().exists(path)


def test_create_project_makes_owner_and_journals(user):
    with transaction.atomic():
        project = services.create_project("My_Project", user)
    assert project.normalized_name == "my-project"
    assert Role.objects.get(project=project).role_name == Role.OWNER
    actions = list(JournalEntry.objects.filter(project=project).order_by("id").values_list("action", flat=True))
    assert actions == ["create", f"add Owner {user.username}"]
    assert project.last_serial == JournalEntry.objects.latest("id").id


def test_each_change_moves_the_serial(user, other_user):
    release = publish(user, "serials", "1.0")
    project = release.project
    serials = [Project.objects.get(pk=project.pk).last_serial]

    def step(fn, *args):
        with transaction.atomic():
            fn(*args)
        project.refresh_from_db()
        assert project.last_serial > serials[-1]
        assert project.last_serial == JournalEntry.objects.filter(project=project).latest("id").id
        serials.append(project.last_serial)

    step(services.yank_release, release, "bad", user)
    step(services.unyank_release, release, user)
    step(services.add_role, project, other_user, Role.MAINTAINER, user)
    step(services.change_role, Role.objects.get(user=other_user), Role.OWNER, user)
    step(services.remove_role, Role.objects.get(user=other_user), user)
    step(services.set_status, project, "archived", user, "done")
    step(services.delete_file, release.files.first(), user)
    step(services.delete_release, release, user)
    assert services.global_serial() == serials[-1]


def test_a_batched_change_writes_every_entry_in_order_and_the_last_serial(user):
    from django.db.models import F

    with transaction.atomic():
        project = services.create_project("batched", user)
    before = project.last_serial
    with transaction.atomic(), services.batched_journal():
        services.record(project, "first", user=user, project_updates={"total_size": F("total_size") + 5})
        services.record(project, "second", user=user, project_updates={"total_size": F("total_size") + 7})
        services.record(project, "third", user=user)
        assert JournalEntry.objects.filter(project=project).count() == 2  # queued, not yet written
    entries = list(JournalEntry.objects.filter(project=project, id__gt=before).order_by("id"))
    assert [e.action for e in entries] == ["first", "second", "third"]
    project.refresh_from_db()
    assert project.last_serial == entries[-1].id
    assert project.total_size == 12  # both updates of the same column applied


def test_a_batch_that_fails_writes_nothing(user):
    with transaction.atomic():
        project = services.create_project("batch-fails", user)
    count = JournalEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic(), services.batched_journal():
        services.record(project, "never", user=user)
        raise RuntimeError("fault inside the change")
    assert JournalEntry.objects.count() == count
    with transaction.atomic(), services.batched_journal():  # and the next one is not affected
        services.record(project, "later", user=user)
    assert JournalEntry.objects.latest("id").action == "later"


def test_add_file_failure_leaves_no_file_and_no_rows(user, monkeypatch):
    publish(user, "atomic", "1.0", kinds=("wheel",))

    def explode(*args, **kwargs):
        raise RuntimeError("fault after the storage write")

    monkeypatch.setattr("packages.services.files.record", explode)
    with pytest.raises(RuntimeError):
        publish(user, "atomic", "1.0", kinds=("sdist",))
    assert not File.objects.filter(filename="atomic-1.0.tar.gz").exists()
    assert not FilenameLog.objects.filter(filename="atomic-1.0.tar.gz").exists()
    stored = [p for p in _walk(package_storage()) if p.endswith("atomic-1.0.tar.gz")]
    assert stored == []


def _walk(storage, prefix=""):
    dirs, files = storage.listdir(prefix)
    for name in files:
        yield f"{prefix}{name}"
    for name in dirs:
        yield from _walk(storage, f"{prefix}{name}/")


def test_deleting_a_file_removes_bytes_after_commit_but_keeps_the_name(user, django_capture_on_commit_callbacks):
    release = publish(user, "gone", "1.0", kinds=("wheel",))
    file = release.files.get()
    assert _stored(file.path) and _stored(file.metadata_path)
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            services.delete_file(file, user, "mistake")
        assert _stored(file.path)  # nothing is deleted before the commit
    assert not _stored(file.path) and not _stored(file.metadata_path)
    assert FilenameLog.objects.filter(filename=file.filename).exists()
    entry = JournalEntry.objects.latest("id")
    assert entry.action == f"remove file {file.filename}: mistake"


def test_rolled_back_delete_keeps_the_bytes(user):
    release = publish(user, "kept", "1.0", kinds=("wheel",))
    file = release.files.get()
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            services.delete_project(release.project, user)
            raise RuntimeError("abort")
    assert _stored(file.path)
    assert File.objects.filter(pk=file.pk).exists()


def test_total_size_follows_files(user):
    release = publish(user, "sized", "1.0")
    project = Project.objects.get(pk=release.project_id)
    assert project.total_size == sum(f.size for f in release.files.all())
    with transaction.atomic():
        services.delete_release(release, user)
    project.refresh_from_db()
    assert project.total_size == 0


def test_deleting_a_release_keeps_changes_made_since_its_project_was_read(user):
    """delete_release subtracts in the database (F()), as delete_file does: a project row read
    before another upload or deletion must not write its stale total back."""
    old = publish(user, "sized", "1.0")
    other = publish(user, "sized", "2.0")
    old = type(old).objects.select_related("project").get(pk=old.pk)  # project read now, as a view does
    other = type(other).objects.select_related("project").get(pk=other.pk)
    later = publish(user, "sized", "3.0", kinds=("wheel",))  # lands after both were read
    with transaction.atomic():
        services.delete_release(old, user)
    with transaction.atomic():
        services.delete_release(other, user)
    project = Project.objects.get(pk=later.project_id)
    assert project.total_size == sum(f.size for f in later.files.all()) > 0
    assert project.total_size == sum(File.objects.filter(release__project=project).values_list("size", flat=True))


@pytest.mark.django_db(transaction=True)
def test_journal_record_refuses_to_run_outside_a_transaction(user):
    with transaction.atomic():
        project = services.create_project("outside", user)
    with pytest.raises(RuntimeError):
        services.record(project, "sneaky")


def test_equal_pep440_versions_are_one_release(user):
    first = publish(user, "samever", "2", kinds=("wheel",))
    again = publish(user, "samever", "2.0.0", kinds=())
    assert again.pk == first.pk
    assert first.canonical_version == "2"
    with pytest.raises(Exception):
        with transaction.atomic():
            services.create_release(first.project, "2.0", {}, user)


def test_for_version_finds_a_release_by_any_equal_spelling(user, django_assert_num_queries):
    from packages.models import Release

    release = publish(user, "spelled", "1.5", kinds=("wheel",))
    with django_assert_num_queries(1):
        assert Release.objects.for_version(release.project, "1.5.0") == release
    assert Release.objects.for_version(release.project, "1.6") is None
    assert Release.objects.for_version(release.project, "not a version") is None
