"""What an installer asks for next, guessed for fetching ahead (upstream/ahead.py): the metadata
file of the file pip or uv would take from a page, and the names its metadata depends on.

Guessed for the server's own Python and platform (upstream/prefetch.py's default target), with
prefetch's own choice of version: the newest not yanked, no pre-release unless there is nothing
else, a file whose Requires-Python admits it. Of that version, the wheel whose tags rank highest
among the server's (packaging.tags.sys_tags: the order pip ranks them), else the sdist. A wrong
guess costs one small metadata file, fetched and kept for whoever asks; a client on another
platform or Python gets no help, and loses nothing.
"""

import functools

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.tags import sys_tags
from packaging.utils import InvalidWheelFilename, canonicalize_name, parse_wheel_filename

from .files import Wanted
from .prefetch import admits_python, choose, metadata_requires, targets, upstream_source

# At most this many dependencies of one metadata file have their pages fetched ahead.
MAX_DEPENDENCIES = 16
SDIST_SUFFIXES = (".tar.gz", ".zip")


@functools.cache
def _target():
    return targets()[0]


@functools.cache
def _tag_ranks():
    return {tag: rank for rank, tag in enumerate(sys_tags())}


def _wheel_rank(filename):
    """The rank of a wheel's best tag among the server's (lower is better); None: unsupported."""
    try:
        tags = parse_wheel_filename(filename)[3]
    except InvalidWheelFilename:
        return None
    ranks = [_tag_ranks()[tag] for tag in tags if tag in _tag_ranks()]
    return min(ranks) if ranks else None


def _best_entry(entries):
    wheels = [(rank, e) for e in entries if (rank := _wheel_rank(e["filename"])) is not None]
    if wheels:
        return min(wheels, key=lambda pair: pair[0])[1]
    return next((e for e in entries if e["filename"].endswith(SDIST_SUFFIXES)), None)


def metadata_file(row):
    """The Wanted metadata file an installer would read first from this cached upstream page (an
    UpstreamProject row), or None (no usable version, or its file has no metadata file)."""
    pick = choose(upstream_source(row), SpecifierSet(), _target())
    if pick is None:
        return None
    python = _target().python_full
    usable = [e for e in pick.entries if not e["yanked"] and admits_python(e["requires_python"], python)]
    entry = _best_entry(usable)
    if entry is None or not entry["metadata_sha256"]:
        return None
    return Wanted(row.normalized_name, row.upstream, entry, is_metadata=True)


def dependency_names(data):
    """The normalized names a core metadata document requires on the server's own environment,
    extras left out (asked for only when named), in their order, at most MAX_DEPENDENCIES."""
    environment = _target().environment()
    names = []
    for text in metadata_requires(data) or []:
        try:
            requirement = Requirement(text)
        except InvalidRequirement:
            continue
        try:
            if requirement.marker is not None and not requirement.marker.evaluate(environment):
                continue
        except (KeyError, ValueError):  # packaging's UndefinedEnvironmentName, UndefinedComparison
            continue
        name = canonicalize_name(requirement.name)
        if name not in names:
            names.append(name)
        if len(names) == MAX_DEPENDENCIES:
            break
    return names
