"""Rules for a new project's name: syntax, staff prohibitions, stdlib modules, look-alikes."""
import sys

from packages.models import ProhibitedProjectName, Project
from packages.names import is_valid_name, normalize_name, ultranormalize_name

from .errors import invalid

NAME_SPEC_URL = "https://packaging.python.org/specifications/name-normalization/"
# Public stdlib modules (private "_x" ones can't be imported by users by that name anyway).
STDLIB_NAMES = frozenset(normalize_name(m) for m in sys.stdlib_module_names if not m.startswith("_"))
MAX_NAME_LENGTH = 200


def check_name_syntax(name):
    if len(name) > MAX_NAME_LENGTH:
        raise invalid(f"The name '{name[:50]}…' is too long: at most {MAX_NAME_LENGTH} characters.", "name",
                      url=NAME_SPEC_URL)
    if not is_valid_name(name):
        raise invalid(
            f"'{name}' is an invalid value for Name. Error: Start and end with a letter or numeral containing "
            "only ASCII numeric and '.', '_' and '-'. See https://packaging.python.org/specifications/core-metadata",
            "name", url=NAME_SPEC_URL,
        )


def check_new_project_name(name, user):
    """Refuse names staff prohibited, stdlib module names and look-alikes of existing projects.

    A look-alike is allowed only when the uploader already holds a role on every project it
    resembles (an owner may register a second spelling of their own project).
    """
    normalized = normalize_name(name)
    if ProhibitedProjectName.objects.filter(name=normalized).exists():
        raise invalid(f"The name '{name}' isn't allowed. It has been prohibited by the index staff.", "name",
                      anchor="project-names", code="name_prohibited")
    if normalized in STDLIB_NAMES:
        raise invalid(
            f"The name '{name}' isn't allowed (conflict with Python Standard Library module name).", "name",
            anchor="project-names", code="name_stdlib",
        )
    similar = Project.objects.filter(ultranormalized_name=ultranormalize_name(name)).exclude(normalized_name=normalized)
    strangers = similar.exclude(roles__user=user)
    clash = strangers.order_by("normalized_name").first()
    if clash is not None:
        raise invalid(
            f"The name '{name}' is too similar to an existing project '{clash.name}' (names that differ only in "
            "separators, case or the look-alike characters l/1/I and o/0 are treated as the same).",
            "name", anchor="project-names", code="name_too_similar",
        )
