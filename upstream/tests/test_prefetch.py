"""upstream_prefetch: requirements files read with packaging, versions chosen as pip would,
dependencies followed for each target, every file of a chosen version cached; then installs
work with the upstream gone."""

import io
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from packaging.specifiers import SpecifierSet
from packaging.version import Version

from accounts.tests.factories import UserFactory
from devtools.publish import publish
from devtools.testing import clients
from packages.storage import package_storage
from upstream import files, prefetch, reqfile
from upstream.models import UpstreamFile

pytestmark = pytest.mark.django_db
HERE = f"Python {sys.version_info.major}.{sys.version_info.minor} on linux"  # the default target


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("upstream_prefetch", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), str(exc)
    return out.getvalue(), err.getvalue(), None


def write(path, text):
    path.write_text(text)
    return str(path)


def test_requirements_files_read_as_pip_reads_them(tmp_path):
    write(tmp_path / "base.txt", "Pub-B[cli]>=1 ; python_version >= '3'\n")
    write(tmp_path / "pins.txt", "pub-c<2\n")
    top = write(
        tmp_path / "requirements.txt",
        "# a comment\n"
        "pub-a==1.0 \\\n"
        "    --hash=sha256:" + "0" * 64 + "  # pinned\n"
        "-r base.txt\n"
        "--constraint=pins.txt\n"
        "--index-url https://example.org/simple/\n"
        "\n",
    )
    parsed = reqfile.read(top)
    assert [(str(r), where.rsplit("/", 1)[1]) for r, where in parsed.requirements] == [
        ("pub-a==1.0", "requirements.txt:2"),
        ('Pub-B[cli]>=1; python_version >= "3"', "base.txt:1"),
    ]
    assert [str(r) for r, _ in parsed.constraints] == ["pub-c<2"]
    assert parsed.ignored[0].endswith("requirements.txt:6: --index-url https://example.org/simple/")
    assert parsed.problems == []


def test_what_cannot_come_from_an_index_is_a_problem(tmp_path):
    top = write(
        tmp_path / "requirements.txt",
        "-e ./src\nname @ https://example.org/x.whl\n./local/dir\nnot a requirement!\n-r missing.txt\n",
    )
    problems = [str(p).removeprefix(f"{tmp_path}/") for p in reqfile.read(top).problems]
    assert problems[0] == "requirements.txt:1: an editable install cannot be prefetched: -e ./src"
    assert problems[1].startswith("requirements.txt:2: a URL requirement cannot be prefetched")
    assert problems[2].startswith("requirements.txt:3: not a requirement (a path or URL cannot be prefetched")
    assert problems[3].startswith("requirements.txt:4: not a requirement:")
    assert problems[4].startswith("missing.txt: cannot be read")


def _source(*versions):
    """(version, yanked, requires-python) triples as an upstream Source."""
    return prefetch.Source(
        "x", "env", [prefetch.Candidate(Version(v), yanked, [rp], [{"version": v}]) for v, yanked, rp in versions]
    )


@pytest.mark.parametrize(
    ("specifier", "python", "expected"),
    [
        ("", "3.12", "2.0"),  # 2.1 is yanked, 3.0rc1 a pre-release
        (">=2.1", "3.12", "3.0rc1"),  # only a pre-release left: pip takes it
        ("==2.1", "3.12", "2.1"),  # pinned: yanked files may be installed
        ("", "3.8", "1.0"),  # 2.0 needs Python 3.10
        ("<1", "3.12", None),
    ],
)
def test_the_version_pip_would_choose(specifier, python, expected):
    source = _source(("1.0", False, ""), ("2.0", False, ">=3.10"), ("2.1", True, ""), ("3.0rc1", False, ""))
    pick = prefetch.choose(source, SpecifierSet(specifier), prefetch.Target(python, "linux"))
    assert (str(pick.version) if pick else None) == expected


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_prefetch_then_install_with_the_upstream_gone(index_url, settings, upstream, tmp_path):
    settings.UPSTREAM_INDEX_URL = upstream.url
    upstream.add("app", "1.0", requires_dist=["lib-a>=1", "win-only; sys_platform == 'win32'"])
    upstream.add(
        "app",
        "2.0",
        requires_dist=["lib-a>=1", "win-only; sys_platform == 'win32'", "extra-dep; extra == 'cli'"],
        extra_headers=[("Provides-Extra", "cli")],
    )
    upstream.add("lib-a", "1.0", metadata_file=True)
    upstream.add("lib-a", "1.5", metadata_file=True, requires_dist=["lib-b"])
    upstream.add("lib-a", "1.5", tag="cp312-cp312-win_amd64", metadata_file=True, requires_dist=["lib-b"])
    upstream.add("lib-b", "0.1")
    upstream.add("win-only", "1.0")
    upstream.add("extra-dep", "1.0")
    upstream.add("unused", "1.0")
    publish(
        UserFactory(),
        "private-x",
        "1.0",
        kinds=("wheel",),
        metadata={"requires_dist": ["lib-b>=0.1"]},
        requires_dist=["lib-b>=0.1"],
    )
    requirements = write(tmp_path / "requirements.txt", "app[cli]\nprivate-x\n")

    out, err, error = run("-r", requirements)
    assert error is None, error
    assert out.splitlines()[:5] == [
        "app 2.0\tenv\t" + HERE,
        "extra-dep 1.0\tenv\t" + HERE,
        "lib-a 1.5\tenv\t" + HERE,
        "lib-b 0.1\tenv\t" + HERE,
        "private-x 1.0\tlocal\t" + HERE,
    ]
    # Both wheels of lib-a 1.5 (any platform's), and their metadata files: 2 + 2 + 1 + 1 + 1.
    assert "Prefetched 5 releases: 7 files fetched now" in out
    names = set(UpstreamFile.objects.values_list("normalized_name", flat=True))
    assert names == {"app", "lib-a", "lib-b", "extra-dep"}
    assert all(package_storage().exists(f.path) for f in UpstreamFile.objects.all())
    assert not any("unused" in path or "win_only" in path for path in upstream.requests)

    out, _, error = run("-r", requirements, "--platform", "win32", "--platform", "linux")
    assert error is None
    win = HERE.replace("linux", "win32")
    assert f"win-only 1.0\tenv\t{win}" in out
    assert f"app 2.0\tenv\t{win}, {HERE}" in out
    assert "1 files fetched now" in out and "7 were cached already" in out

    upstream.stop()
    settings.UPSTREAM_CACHE_SECONDS = 0  # every page is stale: served from the rows
    result = clients.pip_install(f"{index_url}/simple/", ["app[cli]", "private-x"], tmp_path / "offline")
    assert result.returncode == 0, result.stdout + result.stderr
    assert clients.import_version(tmp_path / "offline", "lib_a") == "1.5"
    assert clients.import_version(tmp_path / "offline", "extra_dep") == "1.0"
    result = clients.uv_install(f"{index_url}/simple/", ["app[cli]", "private-x"], tmp_path / "offline-uv")
    assert result.returncode == 0, result.stdout + result.stderr


def test_problems_are_reported_and_exit_non_zero(settings, upstream, tmp_path):
    settings.UPSTREAM_INDEX_URL = upstream.url
    upstream.add("pub-a", "1.0", requires_dist=["pub-b>=2"])
    upstream.add("pub-b", "1.0")
    filename = upstream.add("pub-c", "1.0")
    upstream.tamper(filename)
    requirements = write(tmp_path / "requirements.txt", "pub-a\nnobody-has-it\npub-c\n")
    out, _, error = run("-r", requirements)
    assert error.startswith("3 problems:")
    assert f"pub-b: no version admits '>=2' for {HERE} (asked by pub-a 1.0)" in error
    assert "nobody-has-it: no upstream knows it" in error
    assert f"{filename}: refused:" in error
    assert not package_storage().exists(files.storage_path(upstream.projects["pub-c"][0][2], filename))
    assert "Prefetched 2 releases" in out


def test_nothing_configured(tmp_path):
    assert run("-r", write(tmp_path / "r.txt", "x\n"))[2].startswith("No upstream index is configured")
