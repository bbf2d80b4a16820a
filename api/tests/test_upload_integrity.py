"""A failed upload leaves nothing behind; the body is cut off at the size limit."""

import random

import pytest
from django.core.files.uploadhandler import StopUpload

from api.upload import pipeline
from api.upload.handlers import LimitedHashingUploadHandler
from packages import services
from packages.models import File, Project

from .upload_support import post, snapshot, wheel


class Boom(Exception):
    pass


def _raise(*args, **kwargs):
    raise Boom("injected fault")


def _after_real(real):
    def wrapper(*args, **kwargs):
        real(*args, **kwargs)  # the bytes are in storage and the rows written, not yet committed
        raise Boom("injected fault after add_file")

    return wrapper


def _inject(fault, monkeypatch):
    if fault == "journal-record":
        # journal.record runs after the file and its .metadata were written to storage
        import packages.services.files as files_module

        monkeypatch.setattr(files_module, "record", _raise)
    else:
        # the pipeline fails after add_file returned, before the transaction commits
        monkeypatch.setattr(pipeline.services, "add_file", _after_real(services.add_file))


@pytest.mark.parametrize("fault", ["journal-record", "after-add-file"])
@pytest.mark.parametrize("new_project", [False, True], ids=["existing-project", "new-project"])
def test_fault_between_storage_write_and_commit_leaves_nothing(fault, new_project, ctx, monkeypatch):
    _inject(fault, monkeypatch)
    name = "brand-new" if new_project else "existing-pkg"
    # unique bytes per case: storage is shared by the tests, the database is not
    filename, data = wheel(name, "2.0", meta_kwargs={"summary": f"{fault} {new_project}"})
    before = snapshot()
    with pytest.raises(Boom):
        post(ctx.client, ctx.token, filename, data, name=name)
    assert snapshot() == before
    assert not File.objects.filter(filename=filename).exists()
    assert Project.objects.filter(normalized_name="brand-new").exists() is False
    # The same upload goes through once the fault is gone: nothing half-written blocks it.
    monkeypatch.undo()
    response = post(ctx.client, ctx.token, filename, data, name=name)
    assert response.status_code == 200, response.reason_phrase
    assert File.objects.get(filename=filename).path in snapshot()["stored"]


def test_stored_file_always_has_its_row_and_journal_entry(ctx):
    filename, data = wheel()
    assert post(ctx.client, ctx.token, filename, data).status_code == 200
    file = File.objects.get(filename=filename)
    assert {file.path, file.metadata_path} <= snapshot()["stored"]
    assert ctx.existing.journal.filter(action=f"add py3 file {filename}").exists()


def test_body_is_cut_off_at_the_limit_and_the_temporary_file_removed(ctx, settings, tmp_path):
    settings.UPLOAD_MAX_FILE_SIZE = 64 * 1024
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    noise = random.Random(3).randbytes(1024 * 1024)  # incompressible
    filename, data = wheel(extra=[("existing_pkg/big.bin", noise)])
    assert len(data) > 10 * 64 * 1024
    before = snapshot()
    response = post(ctx.client, ctx.token, filename, data, headers={"HTTP_ACCEPT": "application/json"})
    assert response.status_code == 413
    assert response.json()["error_code"] == "too_large"
    assert "File too large. Limit for project 'existing-pkg' is 64 KiB." in response.reason_phrase
    assert list(tmp_path.iterdir()) == []
    assert snapshot() == before


def test_handler_stops_reading_as_soon_as_the_limit_is_passed(ctx, settings):
    settings.UPLOAD_MAX_FILE_SIZE = 100
    handler = LimitedHashingUploadHandler()
    handler.handle_raw_input(None, {}, 10_000, b"x")
    handler.new_file("content", "existing_pkg-2.0-py3-none-any.whl", "application/octet-stream", None)
    handler.receive_data_chunk(b"a" * 60, 0)
    with pytest.raises(StopUpload):
        handler.receive_data_chunk(b"a" * 60, 60)
    assert handler.file.closed and handler.error.status == 413
    assert handler.size == 120  # nothing after the chunk that passed the limit was taken


def test_project_limit_can_be_raised_by_staff(ctx, settings):
    settings.UPLOAD_MAX_FILE_SIZE = 100
    filename, data = wheel()
    assert post(ctx.client, ctx.token, filename, data).status_code == 413
    ctx.existing.upload_limit = 10 * 1024 * 1024
    ctx.existing.save()
    assert post(ctx.client, ctx.token, filename, data).status_code == 200


def test_the_identical_reupload_question_never_refuses(ctx):
    """is_identical_reupload answers whether this very file is stored; other bytes under its name
    are refused by check_filename_unused, as the upload shows."""
    from api.upload import policy

    stored = File.objects.get(filename="existing_pkg-1.0-py3-none-any.whl")
    assert policy.is_identical_reupload(stored.filename, {"blake2_256": stored.blake2_256_digest})
    assert not policy.is_identical_reupload(stored.filename, {"blake2_256": "0" * 64})
    assert not policy.is_identical_reupload("existing_pkg-9.0-py3-none-any.whl", {"blake2_256": "0" * 64})
    other_bytes = wheel(version="1.0", meta_kwargs={"summary": "other bytes"})
    assert other_bytes[0] == stored.filename
    response = post(ctx.client, ctx.token, *other_bytes, version="1.0")
    assert response.status_code == 400 and response.reason_phrase.startswith("File already exists")
