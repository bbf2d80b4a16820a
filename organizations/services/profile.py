"""What an organization's Owners edit in its settings: display name, URL, description."""

from django.db import transaction

from .events import record_event

EDITABLE = ("display_name", "url", "description")


@transaction.atomic
def update_settings(organization, actor, **fields):
    """An Owner's (or the staff's) change of display name, URL or description."""
    changed = [name for name, value in fields.items() if getattr(organization, name) != value]
    for name in changed:
        setattr(organization, name, fields[name])
    if changed:
        organization.save(update_fields=changed)
        record_event(organization, "change " + ", ".join(name.replace("_", " ") for name in changed), actor)
    return organization
