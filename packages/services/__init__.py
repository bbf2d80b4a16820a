"""The only code that changes projects, releases, files and roles.

Each function must be called inside `transaction.atomic()` (they open one themselves) and
writes a journal entry, so the project's last_serial moves with every visible change.
"""
from .files import add_file, delete_file, store_bytes  # noqa: F401
from .journal import global_serial, record  # noqa: F401
from .projects import (  # noqa: F401
    add_role,
    change_role,
    create_project,
    delete_project,
    remove_role,
    set_status,
)
from .releases import apply_metadata, create_release, delete_release, unyank_release, yank_release  # noqa: F401
from .invitations import (  # noqa: F401
    CollaborationError,
    accept_invitation,
    change_collaborator_role,
    decline_invitation,
    invite,
    pending_for,
    remove_collaborator,
    revoke_invitation,
)
