"""/simple/ kept in segments on disk (api/simple/index_store.py): every update gives the body a
full read would, rewriting only the segments that changed."""

import gzip
import json
import zlib

from django.db import transaction

from api.simple import index_rows, index_store, render
from packages import services
from packages.models import JournalEntry, Project

JSON_V1 = "application/vnd.pypi.simple.v1+json"


def create(user, *names):
    for name in names:
        services.create_project(name, user)


def expected(kind):
    """The body a full read renders, for comparison."""
    rows = list(index_rows.all_rows())
    if kind == "html":
        return render.render_index_html(rows)
    return render.render_index_json(rows, services.global_serial())


def fetch(client, kind, encoding="identity"):
    response = client.get(
        "/simple/", HTTP_ACCEPT=JSON_V1 if kind == "json" else "text/html", HTTP_ACCEPT_ENCODING=encoding
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert int(response["Content-Length"]) == len(body)
    if encoding == "gzip":
        assert response["Content-Encoding"] == "gzip"
        body = gzip.decompress(body)  # checks the CRC and the length in the trailer
    else:
        assert "Content-Encoding" not in response
    return response, body


def assert_index_is_full_read(client):
    for kind in ("html", "json"):
        for encoding in ("identity", "gzip"):
            response, body = fetch(client, kind, encoding)
            assert body == expected(kind), (kind, encoding)
            assert response["X-PyPI-Last-Serial"] == str(services.global_serial())


def listed(client):
    return [p["name"] for p in json.loads(fetch(client, "json")[1])["projects"]]


def test_empty_index(client, db):
    assert_index_is_full_read(client)
    assert listed(client) == []


def test_new_project_appears_in_its_segment_only(client, user, small_segments):
    create(user, "alpha", "charlie", "echo", "golf", "india", "kilo")
    assert_index_is_full_read(client)
    before = {s.id for s in index_store.read_manifest().segments}
    assert len(before) == 3
    create(user, "delta")
    assert_index_is_full_read(client)
    after = index_store.read_manifest()
    assert len(before - {s.id for s in after.segments}) == 1  # one segment rewritten, two kept
    assert "delta" in listed(client)


def test_deleted_and_quarantined_projects_disappear(client, user, small_segments):
    create(user, "alpha", "bravo", "charlie", "delta", "echo")
    listed(client)
    services.delete_project(Project.objects.get(name="bravo"), user)
    services.set_status(Project.objects.get(name="delta"), Project.Status.QUARANTINED, user, reason="malware")
    assert_index_is_full_read(client)
    assert listed(client) == ["alpha", "charlie", "echo"]
    services.set_status(Project.objects.get(name="delta"), Project.Status.ACTIVE, user)
    assert listed(client) == ["alpha", "charlie", "delta", "echo"]


def test_a_segment_emptied_is_dropped(client, user, small_segments):
    create(user, "alpha", "bravo", "charlie", "delta")
    listed(client)
    for name in ("alpha", "bravo"):
        services.delete_project(Project.objects.get(name=name), user)
    assert listed(client) == ["charlie", "delta"]
    assert len(index_store.read_manifest().segments) == 1
    assert_index_is_full_read(client)


def test_a_segment_past_twice_the_size_is_split(client, user, small_segments):
    create(user, "alpha", "zulu")
    listed(client)
    create(user, "bravo", "charlie", "delta", "echo")  # all land in the first segment
    assert_index_is_full_read(client)
    assert [s.first for s in index_store.read_manifest().segments] == ["alpha", "charlie", "echo"]


def test_names_are_listed_normalized_and_a_new_spelling_replaces_the_old(client, user, small_segments):
    create(user, "zeta", "Mid.Dle", "ALPHA_one")
    body = fetch(client, "html")[1].decode()
    assert '<a href="/simple/mid-dle/">Mid.Dle</a>' in body
    assert '<a href="/simple/alpha-one/">ALPHA_one</a>' in body
    project = Project.objects.get(normalized_name="mid-dle")
    project.name = "mid_dle"  # same normalized name, another spelling
    project.save()
    with transaction.atomic():
        services.record(project, "rename")
    body = fetch(client, "html")[1].decode()
    assert '<a href="/simple/mid-dle/">mid_dle</a>' in body
    assert "Mid.Dle" not in body
    assert listed(client) == ["ALPHA_one", "mid_dle", "zeta"]
    assert_index_is_full_read(client)


def test_every_update_equals_a_full_read(client, user, small_segments):
    create(user, *(f"pkg-{n:02d}" for n in range(0, 30, 3)))
    listed(client)
    for step in range(8):
        create(user, f"pkg-{3 * step + 1:02d}", f"new-{step}")
        services.set_status(Project.objects.get(name=f"pkg-{3 * step:02d}"), Project.Status.ARCHIVED, user)
        if step % 3 == 2:
            services.delete_project(Project.objects.get(name=f"pkg-{3 * step + 1:02d}"), user)
        assert_index_is_full_read(client)


def test_last_serials_in_json_follow_each_change(client, user):
    create(user, "alpha", "bravo")
    listed(client)
    services.set_status(Project.objects.get(name="bravo"), Project.Status.DEPRECATED, user)
    projects = json.loads(fetch(client, "json")[1])["projects"]
    assert projects[1] == {"name": "bravo", "_last-serial": Project.objects.get(name="bravo").last_serial}


def test_304_while_the_serial_stands(client, user):
    create(user, "alpha")
    response, _ = fetch(client, "html", "gzip")
    assert client.get("/simple/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    create(user, "bravo")
    assert client.get("/simple/", HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 200


def test_brotli_clients_get_gzip(client, user):
    create(user, "alpha")
    response = client.get("/simple/", HTTP_ACCEPT_ENCODING="br, gzip")
    assert response["Content-Encoding"] == "gzip"
    assert b"alpha" in gzip.decompress(b"".join(response.streaming_content))
    assert "Content-Encoding" not in client.get("/simple/", HTTP_ACCEPT_ENCODING="br")


def test_the_gzip_body_is_one_member_any_inflater_reads(client, user, small_segments):
    create(user, "alpha", "bravo", "charlie", "delta", "echo")
    packed = b"".join(client.get("/simple/", HTTP_ACCEPT_ENCODING="gzip").streaming_content)
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    plain = inflater.decompress(packed)
    assert inflater.eof and inflater.unused_data == b""  # one gzip member, nothing after it
    assert plain == expected("html")


def test_a_database_gone_backwards_rebuilds(client, user, settings):
    create(user, "alpha", "bravo")
    listed(client)
    manifest = index_store.read_manifest()
    # As if the index had been built from a database since restored to an older state.
    stale = index_store.Manifest(manifest.serial + 5, manifest.database, manifest.segments, (), manifest.next_id)
    index_store._save(stale, replaced=())
    assert listed(client) == ["alpha", "bravo"]
    assert index_store.read_manifest().serial == services.global_serial()


def test_another_database_rebuilds(client, user):
    create(user, "alpha")
    listed(client)
    manifest = index_store.read_manifest()
    index_store._save(index_store.Manifest(manifest.serial, "elsewhere", (), (), 0), replaced=())
    create(user, "bravo")
    assert listed(client) == ["alpha", "bravo"]


def test_a_damaged_segment_rebuilds(client, user, small_segments):
    create(user, "alpha", "bravo", "charlie", "delta")
    listed(client)
    first = index_store.read_manifest().segments[0]
    path = index_store._segment_path(first.id)
    path.write_bytes(path.read_bytes()[:10])  # cut short, as by a crash before the disk had it
    create(user, "echo")
    assert listed(client) == ["alpha", "bravo", "charlie", "delta", "echo"]


def test_a_serial_committed_after_a_higher_one_is_picked_up(client, user):
    """Transaction A takes serial n, B takes n + 1 and commits first; the index is brought to
    n + 1 before A commits: the next update still reads A's project."""
    create(user, "alpha")
    listed(client)
    with transaction.atomic():
        services.record(Project.objects.get(name="alpha"), "placeholder for A's serial")
    gap = JournalEntry.objects.order_by("-id").values_list("id", flat=True).first()
    create(user, "bravo")  # B
    JournalEntry.objects.filter(id=gap).delete()  # A has not committed yet
    assert listed(client) == ["alpha", "bravo"]
    assert gap in index_store.read_manifest().unseen
    late = Project.objects.create(name="late")  # A commits, with its lower serial
    JournalEntry.objects.create(id=gap, project=late, name="late", action="create")
    create(user, "charlie")
    assert listed(client) == ["alpha", "bravo", "charlie", "late"]
    assert gap not in index_store.read_manifest().unseen


def test_workers_share_the_files(client, user):
    create(user, "alpha")
    fetch(client, "html")
    serial = services.global_serial()
    assert index_store.body_path(serial, "html", "identity").exists()
    assert not index_store.body_path(serial, "html", "gzip").exists()  # written when first asked for
    create(user, "bravo")
    fetch(client, "html")
    assert not index_store.body_path(serial, "html", "identity").exists()  # the old serial's body goes
