"""Files proxied from an upstream index count like local ones (issue 21): keyed by project and
filename (they have no File row), shown for upstream projects, folded into months, in the totals."""

import base64
import os
from datetime import timedelta

import pytest
from django.core.management import call_command

from accounts.tests.factories import UserFactory
from devtools.publish import publish
from devtools.testing.static_index import StaticIndex
from packages.models import Project
from stats import downloadlog, services
from stats.ingest import ingest
from stats.models import UpstreamDailyDownloads, UpstreamMonthlyDownloads
from stats.tests.test_downloads import PIP_UA, UV_UA
from upstream import files, streaming

pytestmark = pytest.mark.django_db


@pytest.fixture
def upstream(settings):
    with StaticIndex() as index:
        settings.UPSTREAM_INDEX_URL = index.url
        yield index


def _counts():
    return {(r.project, r.filename, r.installer): r.count for r in UpstreamDailyDownloads.objects.all()}


def test_proxied_downloads_are_counted_first_fetch_and_stored_copy_alike(client, upstream, log_path):
    filename = upstream.add("pub-a", "1.0", metadata_file=True)
    sha = upstream.projects["pub-a"][0][2]
    client.get("/simple/pub-a/")
    url = files.url_path("pub-a", sha, filename)
    assert b"".join(client.get(url, HTTP_USER_AGENT=PIP_UA).streaming_content)  # fetched (streamed)
    b"".join(client.get(url, HTTP_USER_AGENT=UV_UA).streaming_content)  # from storage
    b"".join(client.get(url + ".metadata", HTTP_USER_AGENT=PIP_UA).streaming_content)  # metadata: not counted
    client.head(url, HTTP_USER_AGENT=PIP_UA)  # not a download
    assert not UpstreamDailyDownloads.objects.exists()  # nothing written by the downloads themselves
    call_command("update_download_stats")
    assert _counts() == {("pub-a", filename, "pip"): 1, ("pub-a", filename, "uv"): 1}
    assert services.project_downloads(None, "pub-a") == {"last_day": 2, "last_week": 2, "last_month": 2}
    assert services.totals()["downloads"] == 2
    assert services.top_projects(include_upstream=True) == [("pub-a", "pub-a", 2)]
    assert services.top_projects() == []  # the maintainers' export ranks local projects only


def test_a_cut_short_stream_is_not_counted(client, settings, upstream, log_path):
    filename = upstream.add("pub-evil", "1.0", description=base64.b64encode(os.urandom(2_300_000)).decode())
    sha = upstream.projects["pub-evil"][0][2]
    upstream.tamper(filename, same_size=True)
    client.get("/simple/pub-evil/")
    response = client.get(files.url_path("pub-evil", sha, filename), HTTP_USER_AGENT=PIP_UA)
    with pytest.raises(streaming.IntegrityFailure):  # the stream is cut short
        b"".join(response.streaming_content)
    assert not log_path.exists() or ingest([str(log_path)]) == {str(log_path): 0}


def test_local_project_counts_its_proxied_files_only_when_it_serves_them(log_path):
    release = publish(UserFactory(), "mixed", "1.0", kinds=("wheel",))
    with open(log_path, "w") as log:
        log.write(downloadlog.line(files.url_path("mixed", "ab" * 32, "mixed-0.9-py3-none-any.whl"), PIP_UA))
    ingest([str(log_path)])
    project = Project.objects.get(pk=release.project_id)
    assert services.downloads_of(project)["last_day"] == 0
    assert services.top_projects(include_upstream=True) == []  # a local name that does not serve them
    project.serve_upstream_files = True
    project.save()
    assert services.downloads_of(project)["last_day"] == 1
    assert services.top_projects(include_upstream=True) == [("mixed", "mixed", 1)]


def test_old_upstream_days_fold_into_months(settings):
    today = services.today()
    old = today - timedelta(days=settings.DOWNLOAD_STATS_DAILY_DAYS + 40)
    row = {"project": "pub-a", "filename": "pub_a-1.0-py3-none-any.whl", "installer": "pip", "python": "3.12"}
    UpstreamDailyDownloads.objects.create(**row, day=old, count=5)
    UpstreamDailyDownloads.objects.create(**row, day=old.replace(day=1), count=2)
    UpstreamDailyDownloads.objects.create(**row, day=today, count=1)
    assert services.fold_old_days() == 2
    assert list(UpstreamMonthlyDownloads.objects.values_list("month", "count")) == [(old.replace(day=1), 7)]
    assert services.totals()["downloads"] == 8
