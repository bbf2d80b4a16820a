"""Prefetching a requirements list into the upstream cache, for installs that must later work
without the upstreams (`manage.py upstream_prefetch -r requirements.txt`).

Resolved here rather than by driving `pip download`: for each target environment (Python version
and platform; the server's own by default), each name gets the newest version that every
requirement seen for it admits, not yanked (unless pinned with ==) and with a file whose
Requires-Python admits the target's Python: what pip picks when nothing conflicts. Its
dependencies (Requires-Dist from its PEP 658 metadata file, a wheel's METADATA, or a
Metadata 2.2 sdist's PKG-INFO; local projects' from their release rows) are followed the same
way, markers evaluated for the target and the requested extras. Every file of a chosen version is
fetched (the wheels of all platforms, the sdist, the metadata files) through the same checked path
as downloads (streaming.ensure_stored), and the pages are cached on the way.

Why not pip: `pip download` resolves for one interpreter and platform, runs the build backend of
sdists (upstream code on the index's host) and needs a running server; this needs none of that.
What it does not do is backtrack: when no version admits every requirement, it says so (a
Problem) instead of searching older versions of the other names.
"""

import itertools
import sys
import tarfile
import zipfile
from collections import defaultdict, deque
from dataclasses import dataclass, field

from packaging.markers import default_environment
from packaging.metadata import parse_email
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from packages.models import Project
from packages.storage import package_storage

from . import fetch, files, pages, rule, streaming
from .models import UpstreamFile
from .reqfile import Problem

PLATFORMS = {"linux": ("Linux", "posix"), "win32": ("Windows", "nt"), "darwin": ("Darwin", "posix")}


@dataclass(frozen=True)
class Target:
    python: str  # "3.12"
    platform: str  # a sys.platform value: linux, win32, darwin

    @property
    def python_full(self):
        running = f"{sys.version_info.major}.{sys.version_info.minor}"
        return default_environment()["python_full_version"] if self.python == running else f"{self.python}.0"

    def environment(self, extra=""):
        system, os_name = PLATFORMS[self.platform]
        return {
            **default_environment(),
            "python_version": self.python,
            "python_full_version": self.python_full,
            "sys_platform": self.platform,
            "platform_system": system,
            "os_name": os_name,
            "extra": extra,
        }

    def __str__(self):
        return f"Python {self.python} on {self.platform}"


def targets(pythons=(), platforms=()):
    pythons = pythons or [f"{sys.version_info.major}.{sys.version_info.minor}"]
    platforms = platforms or [sys.platform if sys.platform in PLATFORMS else "linux"]
    return [Target(p, os) for p, os in itertools.product(pythons, platforms)]


@dataclass
class Candidate:
    version: Version
    yanked: bool
    requires_python: list  # of each file ("" admits any Python)
    entries: list  # the page's file rows (upstream); [] for a local release
    requires_dist: list | None = None  # known (a local release), or read once its files are here


@dataclass
class Source:
    name: str
    origin: str  # "local", or the upstream that gave the page
    candidates: list


@dataclass
class Outcome:
    chosen: dict = field(default_factory=dict)  # (name, version) -> {"origin", "targets"}
    fetched: list = field(default_factory=list)  # storage paths fetched now
    already: list = field(default_factory=list)  # storage paths that were cached already
    fetched_bytes: int = 0
    problems: list = field(default_factory=list)


def admits_python(requires_python, python):
    if not requires_python:
        return True
    try:
        return SpecifierSet(requires_python).contains(python, prereleases=True)
    except InvalidSpecifier:
        return True  # pip ignores what it cannot parse


def _pinned(specifier):
    return any(s.operator in ("==", "===") and "*" not in s.version for s in specifier)


def choose(source, specifier, target):
    """The newest Candidate pip would take for `target` under `specifier`, or None."""
    pinned = _pinned(specifier)
    usable = {
        c.version: c
        for c in source.candidates
        if (pinned or not c.yanked) and any(admits_python(rp, target.python_full) for rp in c.requires_python)
    }
    versions = list(specifier.filter(usable))
    return usable[max(versions)] if versions else None


def upstream_source(row):
    """The Source of a cached upstream page (an UpstreamProject row): its versions' candidates."""
    by_version = defaultdict(list)
    for entry in row.files:
        try:
            by_version[Version(entry["version"])].append(entry)
        except InvalidVersion:
            continue
    candidates = [
        Candidate(version, all(e["yanked"] for e in entries), [e["requires_python"] for e in entries], entries)
        for version, entries in by_version.items()
    ]
    return Source(row.normalized_name, row.upstream, candidates)


def metadata_requires(data):
    """Requires-Dist of a core metadata document, or None when it does not say (Dynamic)."""
    raw, _ = parse_email(data)
    if "requires_dist" in {d.lower().replace("-", "_") for d in raw.get("dynamic", [])}:
        return None
    return raw.get("requires_dist", [])


def _read_member(path, suffix):
    """The first top-level-folder member ending in `suffix` of a stored wheel (zip) or sdist
    (tar or zip), read from storage without loading the whole archive; None when it has none."""
    with package_storage().open(path, "rb") as handle:
        if zipfile.is_zipfile(handle):
            handle.seek(0)
            with zipfile.ZipFile(handle) as archive:
                name = next((n for n in archive.namelist() if n.endswith(suffix) and n.count("/") == 1), None)
                return archive.read(name) if name else None
        handle.seek(0)
        with tarfile.open(fileobj=handle) as archive:
            for member in archive:
                if member.isfile() and member.name.endswith(suffix) and member.name.count("/") == 1:
                    return archive.extractfile(member).read()
    return None


class Prefetch:
    """One run: resolve `requirements` (Requirement objects with where they came from) for each
    target and fetch what was chosen. Pages and sources are read once per run."""

    def __init__(self, requirements, constraints=(), target_list=None):
        self.requirements = list(requirements)
        self.constraints = list(constraints)
        self.targets = target_list or targets()
        self.sources = {}
        self.outcome = Outcome()
        self.done_paths = set()

    def run(self):
        for target in self.targets:
            self._resolve(target)
        return self.outcome

    def _problem(self, where, message):
        if not any(p.where == where and p.message == message for p in self.outcome.problems):
            self.outcome.problems.append(Problem(where, message))

    def _source(self, name):
        if name not in self.sources:
            self.sources[name] = self._load_source(name)
        return self.sources[name]

    def _load_source(self, name):
        project = Project.objects.filter(normalized_name=name).first()
        if project is not None:
            candidates = []
            for release in project.releases.all():
                try:
                    version = Version(release.version)
                except InvalidVersion:
                    continue
                candidates.append(
                    Candidate(version, release.yanked, [release.requires_python], [], release.requires_dist)
                )
            return Source(name, "local", candidates)
        if not rule.may_proxy(name):
            self._problem(name, "not a local project, and not one this index asks the upstreams about")
            return None
        try:
            page = pages.lookup(name)
        except pages.Unavailable as exc:
            self._problem(name, f"the upstreams failed: {exc}")
            return None
        if page is None:
            self._problem(name, "no upstream knows it")
            return None
        return upstream_source(page.row)

    def _resolve(self, target):
        specifiers, extras, chosen = defaultdict(SpecifierSet), defaultdict(set), {}
        for constraint, _where in self.constraints:
            if constraint.marker is None or constraint.marker.evaluate(target.environment()):
                specifiers[canonicalize_name(constraint.name)] &= constraint.specifier
        queue = deque(
            (r, where) for r, where in self.requirements if r.marker is None or r.marker.evaluate(target.environment())
        )
        while queue:
            requirement, why = queue.popleft()
            name = canonicalize_name(requirement.name)
            specifiers[name] &= requirement.specifier
            new_extras = set(requirement.extras) - extras[name]
            extras[name] |= set(requirement.extras)
            current = chosen.get(name)
            if current and specifiers[name].contains(current.version, prereleases=True) and not new_extras:
                continue
            source = self._source(name)
            if source is None:
                continue
            pick = choose(source, specifiers[name], target)
            if pick is None:
                self._problem(name, f"no version admits '{specifiers[name] or 'any'}' for {target} (asked by {why})")
                continue
            chosen[name] = pick
            self._record(source, pick, target)
            for dependency in self._requires(source, pick):
                if dependency.marker is None or any(
                    dependency.marker.evaluate(target.environment(extra)) for extra in ["", *sorted(extras[name])]
                ):
                    queue.append((dependency, f"{name} {pick.version}"))

    def _record(self, source, pick, target):
        entry = self.outcome.chosen.setdefault((source.name, str(pick.version)), {"origin": source.origin})
        entry.setdefault("targets", []).append(str(target))

    def _requires(self, source, pick):
        """The pick's Requirement objects, fetching its files first (once per run)."""
        if pick.requires_dist is None:
            pick.requires_dist = self._fetch(source, pick) or []
        requirements = []
        for text in pick.requires_dist or []:
            try:
                requirements.append(Requirement(text))
            except InvalidRequirement:
                self._problem(f"{source.name} {pick.version}", f"unparsable Requires-Dist: {text}")
        return requirements

    def _fetch(self, source, pick):
        """Store every file of an upstream version (and its metadata files); its Requires-Dist."""
        metadata = wheel = sdist = None
        for entry in pick.entries:
            wanted = [files.Wanted(source.name, source.origin, entry)]
            if entry["metadata_sha256"]:
                wanted.append(files.Wanted(source.name, source.origin, entry, is_metadata=True))
            for item in wanted:
                if not self._store(item):
                    continue
                if item.is_metadata:
                    metadata = metadata or item.path
                elif item.filename.endswith(".whl"):
                    wheel = wheel or item.path
                else:
                    sdist = sdist or item.path
        return self._read_requires(source, pick, metadata, wheel, sdist)

    def _store(self, wanted):
        if wanted.path in self.done_paths:
            return True
        cached = UpstreamFile.objects.filter(path=wanted.path).exists()
        try:
            streaming.ensure_stored(wanted)
        except streaming.IntegrityFailure as exc:
            self._problem(wanted.filename, f"refused: {exc}")
            return False
        except (fetch.NotFound, fetch.UpstreamError) as exc:
            self._problem(wanted.filename, f"not fetched: {exc or 'the upstream no longer has it'}")
            return False
        self.done_paths.add(wanted.path)
        if cached:
            self.outcome.already.append(wanted.path)
        else:
            self.outcome.fetched.append(wanted.path)
            self.outcome.fetched_bytes += package_storage().size(wanted.path)
        return True

    def _read_requires(self, source, pick, metadata, wheel, sdist):
        where = f"{source.name} {pick.version}"
        try:
            if metadata:
                with package_storage().open(metadata, "rb") as handle:
                    return metadata_requires(handle.read())
            if wheel:
                return metadata_requires(_read_member(wheel, ".dist-info/METADATA") or b"")
            if sdist:
                data = _read_member(sdist, "/PKG-INFO")
                raw = parse_email(data or b"")[0]
                if data and Version(raw.get("metadata_version", "1.0")) >= Version("2.2"):
                    requires = metadata_requires(data)
                    if requires is not None:
                        return requires
        except (OSError, zipfile.BadZipFile, tarfile.TarError, InvalidVersion) as exc:
            self._problem(where, f"its metadata could not be read: {exc}")
            return []
        if sdist or wheel or metadata:
            self._problem(where, "only an sdist whose dependencies are not declared: they are not followed")
        return []
