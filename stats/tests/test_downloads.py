"""Download counting: every file pip and uv fetch is counted once, whichever way it was served,
and the counts show on the project page, the JSON API, /stats/ and the maintainers' export."""

import json
import os
import threading
import urllib.request
from datetime import timedelta

import pytest
from django.core.management import call_command
from requests_toolbelt import user_agent as toolbelt_user_agent

from accounts.tests.factories import UserFactory
from devtools.publish import publish
from devtools.testing import clients
from devtools.testing.nginx import running_front
from packages.models import File
from stats import downloadlog, services
from stats.ingest import ingest
from stats.models import DailyDownloads, MonthlyDownloads
from stats.useragents import classify

PIP_UA = (
    'pip/25.0 {"ci":null,"cpu":"x86_64","implementation":{"name":"CPython","version":"3.12.4"},'
    '"installer":{"name":"pip","version":"25.0"},"python":"3.12.4","system":{"name":"Linux"}}'
)
UV_UA = 'uv/0.13.8 {"installer":{"name":"uv","version":"0.13.8"},"python":"3.11.7","implementation":{"name":"CPython","version":"3.11.7"}}'


def test_user_agents_of_pip_uv_poetry_and_others():
    assert classify(PIP_UA) == ("pip", "3.12")
    assert classify(UV_UA) == ("uv", "3.11")
    # poetry's own way of building its User-Agent (requests_toolbelt).
    assert classify(toolbelt_user_agent("poetry", "2.5.1")).installer == "poetry"
    assert classify("poetry/2.5.1 CPython/3.13.1 Linux/6.1") == ("poetry", "3.13")
    assert classify("Bandersnatch/6.5 (CPython 3.12)") == ("bandersnatch", "")
    assert classify("curl/8.5.0") == ("curl", "")
    assert classify("") == ("", "") and classify("pip/1 {not json") == ("pip", "")


def _counts():
    return {(row.file.filename, row.installer): row.count for row in DailyDownloads.objects.select_related("file")}


def _total():
    return sum(DailyDownloads.objects.values_list("count", flat=True))


@pytest.fixture
def published(transactional_db):
    owner = UserFactory(username="counted-owner")
    publish(owner, "counted", "1.0")
    return owner


def _install_with_pip_and_uv(index_url, tmp_path):
    pip = clients.pip_install(f"{index_url}/simple/", ["counted==1.0"], tmp_path / "pip", extra=["--no-deps"])
    assert pip.returncode == 0, pip.stdout + pip.stderr
    uv = clients.uv_install(f"{index_url}/simple/", ["counted==1.0"], tmp_path / "uv")
    assert uv.returncode == 0, uv.stdout + uv.stderr


@pytest.mark.e2e
def test_pip_and_uv_installs_through_django_are_counted_exactly(index_url, published, log_path, tmp_path):
    _install_with_pip_and_uv(index_url, tmp_path)
    assert DailyDownloads.objects.count() == 0  # nothing written to the database by the downloads
    call_command("update_download_stats")
    wheel = "counted-1.0-py3-none-any.whl"
    counts = _counts()
    assert counts == {(wheel, "pip"): 1, (wheel, "uv"): 1}, counts  # one wheel each; metadata not counted
    pythons = set(DailyDownloads.objects.values_list("python", flat=True))
    assert pythons == {f"{os.sys.version_info.major}.{os.sys.version_info.minor}"}
    call_command("update_download_stats")  # again: nothing new, nothing counted twice
    assert _total() == 2

    # Shown on the project page, in the JSON API and on /stats/.
    page = urllib.request.urlopen(f"{index_url}/project/counted/", timeout=10).read().decode()
    assert "<strong>2</strong> today" in page and "<strong>2</strong> in the last 30 days" in page
    document = json.load(urllib.request.urlopen(f"{index_url}/pypi/counted/json", timeout=10))
    assert document["info"]["downloads"] == {"last_day": 2, "last_week": 2, "last_month": 2}
    stats = urllib.request.urlopen(f"{index_url}/stats/", timeout=10).read().decode()
    assert 'href="/project/counted/">counted</a>' in stats and "<strong>2</strong> downloads" in stats


@pytest.mark.e2e
def test_installs_through_nginx_are_counted_from_its_log(live_server, settings, published, log_path, tmp_path):
    (tmp_path / "nginx").mkdir()
    with running_front(live_server.url, tmp_path / "nginx") as front:
        settings.FILE_DELIVERY = "x-accel-redirect"
        settings.DOWNLOAD_LOG_PATHS = [str(log_path), str(tmp_path / "nginx" / "downloads.log")]
        _install_with_pip_and_uv(front, tmp_path)
    assert not log_path.exists()  # Django only answered nginx's may-serve check: it counted nothing
    call_command("update_download_stats")
    assert _counts() == {("counted-1.0-py3-none-any.whl", "pip"): 1, ("counted-1.0-py3-none-any.whl", "uv"): 1}


@pytest.mark.e2e
def test_a_burst_of_200_concurrent_downloads_loses_no_count(index_url, published, log_path):
    wheel = File.objects.get(filename="counted-1.0-py3-none-any.whl")
    errors = []

    def fetch():
        try:
            request = urllib.request.Request(index_url + wheel.url_path, headers={"User-Agent": PIP_UA})
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()
        except Exception as exc:  # noqa: BLE001 - any failure fails the test below
            errors.append(exc)

    threads = [threading.Thread(target=fetch) for _ in range(200)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    call_command("update_download_stats")
    assert _counts() == {(wheel.filename, "pip"): 200}


def _write(path, uri, lines, mode="a"):
    with open(path, mode) as log:
        for _ in range(lines):
            log.write(downloadlog.line(uri, PIP_UA))


@pytest.mark.django_db
def test_rotation_and_reruns_count_every_line_once(published, log_path):
    uri = File.objects.get(filename="counted-1.0.tar.gz").url_path
    _write(log_path, uri, 3)
    assert ingest([str(log_path)]) == {str(log_path): 3}
    _write(log_path, uri, 2)
    log_path.with_name("downloads.log").open("a").write('{"uri": "/packages/half')  # a line still being written
    # logrotate renames the file; the writer reopens a new one.
    rotated = log_path.with_name("downloads.log.1")
    os.rename(log_path, rotated)
    with open(rotated, "a") as old:
        old.write('"}\n')  # the half line completes in the old file (and is not a download)
    _write(log_path, uri, 4, mode="w")
    assert ingest([str(log_path)]) == {str(log_path): 6}  # 2 left in the old file + 4 in the new
    assert ingest([str(log_path)]) == {str(log_path): 0}
    # copytruncate: the same file, cut to nothing, then written again.
    os.truncate(log_path, 0)
    _write(log_path, uri, 1)
    assert ingest([str(log_path)]) == {str(log_path): 1}
    assert _total() == 3 + 6 + 1


@pytest.mark.django_db
def test_lines_that_are_not_counted_downloads(published, log_path):
    wheel = File.objects.get(filename="counted-1.0-py3-none-any.whl")
    with open(log_path, "w") as log:
        log.write(downloadlog.line(wheel.url_path + ".metadata", PIP_UA))  # PEP 658 metadata
        log.write(downloadlog.line(wheel.url_path, PIP_UA, status=404))
        log.write(downloadlog.line(wheel.url_path, PIP_UA, method="HEAD"))
        log.write(downloadlog.line("/packages/00/00/unknown/x.whl", PIP_UA))
        log.write("not json at all\n")
        log.write(downloadlog.line(wheel.url_path, PIP_UA))
    assert ingest([str(log_path)]) == {str(log_path): 2}  # the unknown file's line is dropped at the end
    assert _total() == 1


@pytest.mark.django_db
def test_old_days_fold_into_months_and_totals_keep_them(published, settings):
    wheel = File.objects.get(filename="counted-1.0-py3-none-any.whl")
    today = services.today()
    old = today - timedelta(days=settings.DOWNLOAD_STATS_DAILY_DAYS + 40)
    DailyDownloads.objects.create(file=wheel, day=old, installer="pip", python="3.12", count=5)
    DailyDownloads.objects.create(file=wheel, day=old.replace(day=1), installer="pip", python="3.12", count=2)
    DailyDownloads.objects.create(file=wheel, day=today, installer="uv", python="3.12", count=1)
    assert services.fold_old_days() == 2
    assert list(MonthlyDownloads.objects.values_list("month", "count")) == [(old.replace(day=1), 7)]
    assert DailyDownloads.objects.count() == 1
    assert services.totals()["downloads"] == 8
    assert services.project_downloads(wheel.release.project_id) == {"last_day": 1, "last_week": 1, "last_month": 1}


@pytest.mark.django_db
def test_export_maintainers_by_downloads(published, tmp_path, capsys):
    other = UserFactory(username="quiet-owner")
    publish(other, "quiet", "1.0", kinds=("wheel",))
    wheel = File.objects.get(filename="counted-1.0-py3-none-any.whl")
    DailyDownloads.objects.create(file=wheel, day=services.today(), installer="pip", python="3.12", count=9)
    quiet = File.objects.get(filename="quiet-1.0-py3-none-any.whl")
    DailyDownloads.objects.create(file=quiet, day=services.today(), installer="pip", python="3.12", count=1)
    out = tmp_path / "top.csv"
    call_command("export_maintainers", "--by-downloads", "-o", str(out))
    rows = out.read_text().splitlines()
    assert rows[0] == "project,downloads,username,name,email"
    assert rows[1].startswith("counted,9,counted-owner,") and rows[2].startswith("quiet,1,quiet-owner,")


def test_the_writer_follows_a_rotated_log(log_path, monkeypatch):
    monkeypatch.setattr(downloadlog._Appender, "CHECK_SECONDS", 0.0)
    downloadlog.record("/packages/a/b/c/x.whl", PIP_UA)
    os.rename(log_path, log_path.with_name("downloads.log.1"))
    downloadlog.record("/packages/a/b/c/x.whl", PIP_UA)
    assert len(log_path.with_name("downloads.log.1").read_text().splitlines()) == 1
    assert len(log_path.read_text().splitlines()) == 1


def test_the_first_download_makes_the_log_folder(settings, tmp_path):
    # Settings create no folder (pypiapp/tests/test_settings.py): the writer makes it.
    settings.DOWNLOAD_LOG_PATH = str(tmp_path / "fresh" / "downloads.log")
    downloadlog.record("/packages/a/b/c/x.whl", PIP_UA)
    assert len((tmp_path / "fresh" / "downloads.log").read_text().splitlines()) == 1
