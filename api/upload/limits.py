"""The upload's size-limit messages and its early cut-off; the limits themselves are packages/limits.py's."""

from packages.limits import file_size_limit, total_size_limit
from packages.models import Project
from packages.names import normalize_name


def human_size(num_bytes: float) -> str:
    """100 MiB, 10 GiB, 200 bytes: the way the limits are written in the README."""
    size, unit = float(num_bytes), "bytes"
    for bigger in ("KiB", "MiB", "GiB", "TiB"):
        if size < 1024:
            break
        size, unit = size / 1024, bigger
    return f"{int(num_bytes)} bytes" if unit == "bytes" else f"{size:.4g} {unit}"


def file_too_large_message(project: Project | None, name: str) -> str:
    return (
        f"File too large. Limit for project '{project.name if project else name}' is "
        f"{human_size(file_size_limit(project))}. Ask the index staff to raise it if you need more."
    )


def project_for_filename(filename: str) -> Project | None:
    """The project a distribution filename belongs to (the name is everything before the first '-')."""
    name = filename.split("-", 1)[0]
    if not name:
        return None
    return Project.objects.filter(normalized_name=normalize_name(name)).first()


def file_limit_for_filename(filename: str) -> tuple[int, str]:
    """(limit in bytes, message) for the streaming cut-off, before the form fields are known."""
    project = project_for_filename(filename)
    limit = file_size_limit(project)
    if project is not None:
        # Also stop as soon as the project's total would be passed.
        room = total_size_limit(project) - project.total_size
        if room < limit:
            return max(room, 0), project_too_large_message(project)
    return limit, file_too_large_message(project, filename.split("-", 1)[0])


def project_too_large_message(project: Project) -> str:
    return (
        f"Project size too large. Limit for project '{project.name}' total size is "
        f"{human_size(total_size_limit(project))}. Delete old files or ask the index staff to raise the limit."
    )
