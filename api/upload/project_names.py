"""Rules for a new project's name: syntax, staff prohibitions, organizations' names, stdlib
modules, look-alikes."""

import sys

from django.db.models import Case, Value, When

from organizations.models import Organization
from packages.models import ProhibitedProjectName, Project
from packages.names import is_valid_name, normalize_name, ultranormalize_name
from upstream.pages import upstream_claims

from .errors import invalid

NAME_SPEC_URL = "https://packaging.python.org/specifications/name-normalization/"
# Public stdlib modules (private "_x" ones can't be imported by users by that name anyway).
STDLIB_NAMES = frozenset(normalize_name(m) for m in sys.stdlib_module_names if not m.startswith("_"))
MAX_NAME_LENGTH = 200


def check_name_syntax(name: str) -> None:
    if len(name) > MAX_NAME_LENGTH:
        raise invalid(
            f"The name '{name[:50]}…' is too long: at most {MAX_NAME_LENGTH} characters.", "name", url=NAME_SPEC_URL
        )
    if not is_valid_name(name):
        raise invalid(
            f"'{name}' is an invalid value for Name. Error: Start and end with a letter or numeral containing "
            "only ASCII numeric and '.', '_' and '-'. See https://packaging.python.org/specifications/core-metadata",
            "name",
            url=NAME_SPEC_URL,
        )


def check_new_project_name(name: str) -> None:
    """Refuse names staff prohibited, stdlib module names and look-alikes of existing projects.

    A look-alike is refused for everyone, the resembled project's own maintainers included, as
    on pypi.org (a second spelling confuses installers whoever registers it); staff can still
    create one from the admin.
    """
    normalized = normalize_name(name)
    prohibited, upstream_claim, clash, organization = _prohibited_and_lookalike(normalized, ultranormalize_name(name))
    if prohibited:
        raise invalid(
            f"The name '{name}' isn't allowed. It has been prohibited by the index staff.",
            "name",
            anchor="project-names",
            code="name_prohibited",
        )
    if organization:
        raise invalid(
            f"The name '{name}' is an organization's name on this index: a project cannot take it.",
            "name",
            anchor="project-names",
            code="name_organization",
        )
    if upstream_claim:
        raise invalid(
            f"The name '{name}' is a project this index serves from an upstream index: a local upload cannot "
            "claim it (dependency confusion), unless the index staff release the name for local use.",
            "name",
            anchor="project-names",
            code="name_upstream",
        )
    if normalized in STDLIB_NAMES:
        raise invalid(
            f"The name '{name}' isn't allowed (conflict with Python Standard Library module name).",
            "name",
            anchor="project-names",
            code="name_stdlib",
        )
    if clash is not None:
        # A private project's name is never shown (packages/permissions.py): "an existing project" alone.
        existing = f"an existing project '{clash}'" if clash else "an existing project"
        raise invalid(
            f"The name '{name}' is too similar to {existing} (names that differ only in "
            "separators, case or the look-alike characters l/1/I and o/0 are treated as the same).",
            "name",
            anchor="project-names",
            code="name_too_similar",
        )


def _prohibited_and_lookalike(normalized: str, ultranormalized: str) -> tuple[bool, bool, str | None, bool]:
    """(is the name prohibited, is it an upstream's project (upstream/pages.py), an existing look-alike
    project's name or None, is it an organization's name), in one query."""
    prohibited = ProhibitedProjectName.objects.filter(name=normalized).annotate(kind=Value("prohibited"))
    lookalikes = (
        Project.objects.filter(ultranormalized_name=ultranormalized)
        .exclude(normalized_name=normalized)
        .annotate(kind=Case(When(is_private=True, then=Value("private-lookalike")), default=Value("lookalike")))
    )
    upstream = upstream_claims(normalized).annotate(kind=Value("upstream"))
    # Organization has a field called "kind": the claim's column takes another name (a UNION matches by position).
    organizations = Organization.objects.filter(normalized_name=normalized).annotate(claim=Value("organization"))
    rows = list(
        prohibited.order_by()
        .values_list("name", "kind")
        .union(
            lookalikes.order_by().values_list("name", "kind"),
            upstream.order_by().values_list("normalized_name", "kind"),
            organizations.order_by().values_list("normalized_name", "claim"),
            all=True,
        )
    )
    clashes = sorted((name for name, kind in rows if kind == "lookalike"), key=normalize_name)
    kinds = {kind for _, kind in rows}
    # "": only private projects look alike, whose names are not told.
    clash = clashes[0] if clashes else ("" if "private-lookalike" in kinds else None)
    return "prohibited" in kinds, "upstream" in kinds, clash, "organization" in kinds
