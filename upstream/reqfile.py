"""Reading a pip requirements file for upstream_prefetch: requirements parsed with `packaging`,
`-r`/`-c` includes followed, comments and line continuations as pip reads them. What cannot be
prefetched from an index (editable installs, URLs, local paths) is a Problem, not a guess."""

import re
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

_COMMENT = re.compile(r"(^|\s+)#.*$")
_INCLUDE = re.compile(r"^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+)(\S+)$")
_HASH = re.compile(r"\s+--hash(?:=|\s+)\S+")


@dataclass
class Problem:
    where: str  # file:line, or the name it is about
    message: str

    def __str__(self):
        return f"{self.where}: {self.message}"


@dataclass
class RequirementsFile:
    requirements: list = field(default_factory=list)  # (Requirement, "file:line")
    constraints: list = field(default_factory=list)  # Requirements that only narrow versions
    ignored: list = field(default_factory=list)  # option lines that mean nothing here ("file:line: text")
    problems: list = field(default_factory=list)


def _logical_lines(text):
    """(line number, text) with comments removed and backslash continuations joined."""
    pending, start = "", None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _COMMENT.sub("", raw)
        if start is None:
            start = number
        if line.endswith("\\"):
            pending += line[:-1]
            continue
        yield start, (pending + line).strip()
        pending, start = "", None
    if pending.strip():
        yield start, pending.strip()


def read(path, into=None, as_constraints=False, seen=None):
    """The RequirementsFile of `path` and whatever it includes (each file once)."""
    result = into if into is not None else RequirementsFile()
    seen = seen if seen is not None else set()
    path = Path(path)
    if path.resolve() in seen:
        return result
    seen.add(path.resolve())
    try:
        text = path.read_text()
    except OSError as exc:
        result.problems.append(Problem(str(path), f"cannot be read: {exc.strerror or exc}"))
        return result
    for number, line in _logical_lines(text):
        where = f"{path}:{number}"
        if not line:
            continue
        include = _INCLUDE.match(line)
        if include:
            constraints = as_constraints or include.group(1) in ("-c", "--constraint")
            read(path.parent / include.group(2), result, constraints, seen)
            continue
        if line.startswith(("-e", "--editable")):
            result.problems.append(Problem(where, f"an editable install cannot be prefetched: {line}"))
            continue
        if line.startswith("-"):
            result.ignored.append(f"{where}: {line}")  # --index-url, --pre, ...: this index decides
            continue
        _add(result, _HASH.sub("", line), where, as_constraints)
    return result


def _add(result, text, where, as_constraint):
    try:
        requirement = Requirement(text)
    except InvalidRequirement as exc:
        hint = " (a path or URL cannot be prefetched from an index)" if "/" in text or text.startswith(".") else ""
        result.problems.append(Problem(where, f"not a requirement{hint}: {exc}"))
        return
    if requirement.url:
        result.problems.append(Problem(where, f"a URL requirement cannot be prefetched from an index: {text}"))
        return
    (result.constraints if as_constraint else result.requirements).append((requirement, where))
