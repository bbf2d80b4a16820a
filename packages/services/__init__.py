"""The only code that changes projects, releases, files and roles.

Each function must be called inside `transaction.atomic()` (they open one themselves) and
writes a journal entry, so the project's last_serial moves with every visible change.

The upload path's services (create_project, create_release, add_file) add no savepoint when
nested in a caller's transaction: a failure in them ends the caller's whole transaction (the
upload pipeline rolls it all back anyway), and each savepoint would cost two round trips on
every upload.
"""

from .files import add_file, delete_file, store_bytes
from .invitations import (
    CollaborationError,
    accept_invitation,
    change_collaborator_role,
    decline_invitation,
    invite,
    pending_for,
    remove_collaborator,
    revoke_invitation,
)
from .journal import batched as batched_journal
from .journal import global_serial, record
from .projects import (
    PrivacyRefused,
    add_role,
    change_role,
    create_project,
    delete_project,
    delete_unreferenced,
    record_username_change,
    remove_role,
    set_private,
    set_status,
)
from .releases import apply_metadata, create_release, delete_release, unyank_release, yank_release

__all__ = [
    "CollaborationError",
    "PrivacyRefused",
    "accept_invitation",
    "add_file",
    "add_role",
    "apply_metadata",
    "batched_journal",
    "change_collaborator_role",
    "change_role",
    "create_project",
    "create_release",
    "decline_invitation",
    "delete_file",
    "delete_project",
    "delete_release",
    "delete_unreferenced",
    "global_serial",
    "invite",
    "pending_for",
    "record",
    "record_username_change",
    "remove_collaborator",
    "remove_role",
    "revoke_invitation",
    "set_private",
    "set_status",
    "store_bytes",
    "unyank_release",
    "yank_release",
]
