"""End to end: twine against the live server, and real concurrent uploads."""

import threading

import pytest
import requests

from accounts.tests.factories import UserFactory
from devtools.dists import write_dists
from devtools.publish import publish
from devtools.testing.clients import twine_upload
from packages.digests import digests_of
from packages.models import File

from .upload_support import form_for, wheel


def _flat(text):
    return " ".join(text.split())


@pytest.fixture
def uploader(transactional_db, token_for, monkeypatch):
    monkeypatch.setenv("COLUMNS", "1000")  # keep twine's (rich) output on one line per message
    alice = UserFactory(username="alice")
    return alice, token_for(alice)


def test_twine_shows_the_servers_message_for_a_bad_file(index_url, uploader, tmp_path, settings):
    _alice, token = uploader
    url = f"{index_url}/legacy/"
    good = write_dists(tmp_path / "good", "twine-demo", "1.0")
    result = twine_upload(url, token, good)
    assert result.returncode == 0, result.stdout + result.stderr
    bad = write_dists(
        tmp_path / "bad",
        "twine-demo",
        "1.1",
        kinds=("wheel",),
        extra_headers=[("Classifier", "Private :: Do Not Upload")],
    )
    result = twine_upload(url, token, bad)
    output = _flat(result.stdout + result.stderr)
    assert result.returncode != 0
    assert "400" in output and "Classifier 'Private :: Do Not Upload' is refused" in output
    assert not File.objects.filter(filename__startswith="twine_demo-1.1").exists()
    # Same filename, other bytes: the reason phrase starts "File already exists" (the prefix
    # --skip-existing parses; twine 7 allows that option only for pypi.org itself).
    other = write_dists(tmp_path / "other", "twine-demo", "1.0", kinds=("wheel",), summary="changed")
    result = twine_upload(url, token, other)
    assert result.returncode != 0 and "File already exists" in _flat(result.stdout + result.stderr)
    # Over the size limit: a 413 with the limit in the message.
    settings.UPLOAD_MAX_FILE_SIZE = 200
    big = write_dists(tmp_path / "big", "twine-demo", "1.2", kinds=("wheel",))
    result = twine_upload(url, token, big)
    assert result.returncode != 0
    assert "File too large. Limit for project 'twine-demo' is 200 bytes" in _flat(result.stdout + result.stderr)


def _race(url, token, uploads):
    """POST every (filename, data, fields) at the same moment; returns the responses."""
    barrier = threading.Barrier(len(uploads))
    responses = [None] * len(uploads)

    def send(i, filename, data, fields):
        form = form_for(filename, data, **fields)
        content = form.pop("content")
        barrier.wait()
        responses[i] = requests.post(
            url, data=form, files={"content": (filename, content.read())}, auth=("__token__", token), timeout=60
        )

    threads = [threading.Thread(target=send, args=(i, *upload)) for i, upload in enumerate(uploads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


@pytest.mark.parametrize("new_project", [False, True], ids=["existing-project", "new-project"])
def test_concurrent_uploads_of_one_filename_exactly_one_wins(index_url, uploader, new_project):
    alice, token = uploader
    if not new_project:
        publish(alice, "race-pkg", "0.1", kinds=("wheel",))
    for round_number in range(3):
        version = f"1.{round_number}"
        name = f"race-pkg-{round_number}" if new_project else "race-pkg"
        uploads = [
            (*wheel(name, version, meta_kwargs={"summary": f"contender {n}"}), {"name": name, "version": version})
            for n in range(2)
        ]
        assert uploads[0][1] != uploads[1][1] and uploads[0][0] == uploads[1][0]
        responses = _race(f"{index_url}/legacy/", token, uploads)
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200, 400], [(r.status_code, r.reason) for r in responses]
        loser = next(r for r in responses if r.status_code == 400)
        assert loser.reason.startswith("File already exists")
        winner = uploads[[r.status_code for r in responses].index(200)]
        stored = File.objects.get(filename=winner[0])
        assert stored.sha256_digest == digests_of(winner[1])["sha256"]
