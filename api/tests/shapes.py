"""Checks a JSON document against the golden shape fixtures in fixtures/ (see fixtures/README.md)."""

import json
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


def load(name):
    return json.loads((FIXTURES / f"json_{name}_shape.json").read_text())


def named_parts():
    parts = load("parts")
    parts["file"] = load("file")
    parts["info"] = load("info")
    return parts


def _split_union(spec):
    out, depth, start = [], 0, 0
    for i, ch in enumerate(spec):
        depth += ch == "<"
        depth -= ch == ">"
        if ch == "|" and depth == 0:
            out.append(spec[start:i])
            start = i + 1
    return out + [spec[start:]]


def _matches_one(value, spec, parts, path, problems):
    if spec.startswith("$"):
        return check(value, parts[spec[1:]], parts, path, problems)
    if spec.startswith("array<"):
        if not isinstance(value, list):
            return False
        inner = spec[6:-1]
        return all(check(v, inner, parts, f"{path}[{i}]", problems) for i, v in enumerate(value))
    if spec.startswith("object<"):
        if not isinstance(value, dict):
            return False
        inner = spec[7:-1]
        return all(check(v, inner, parts, f"{path}.{k}", problems) for k, v in value.items())
    return {
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "false": lambda v: v is False,
        "null": lambda v: v is None,
    }[spec](value)


def check(value, spec, parts, path="$", problems=None):
    """True when `value` fits `spec`; mismatches are appended to `problems` as readable lines."""
    problems = [] if problems is None else problems
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            problems.append(f"{path}: expected an object, got {type(value).__name__}")
            return False
        missing, extra = sorted(spec.keys() - value.keys()), sorted(value.keys() - spec.keys())
        if missing or extra:
            problems.append(f"{path}: missing keys {missing}, unexpected keys {extra}")
            return False
        return all([check(value[k], s, parts, f"{path}.{k}", problems) for k, s in spec.items()])
    alternatives = _split_union(spec)
    nested = problems if len(alternatives) == 1 else []  # with one choice, say exactly what is wrong inside
    if any(_matches_one(value, alternative, parts, path, nested) for alternative in alternatives):
        return True
    problems.append(f"{path}: {value!r:.60} is not {spec}")
    return False


def problems_with(document, shape_name):
    problems = []
    check(document, load(shape_name), named_parts(), "$", problems)
    return problems
