"""The organization's history (OrganizationEvent) and, for changes that touch a project, that
project's journal: every service of this package writes through these two."""

from packages import services as package_services

from ..models import OrganizationEvent


def record_event(organization, action, actor):
    """One line of the organization's history page."""
    return OrganizationEvent.objects.create(
        organization=organization,
        action=action,
        submitted_by=actor if (actor is not None and actor.is_authenticated) else None,
    )


def record_project(project, action, actor):
    """The project's journal (packages/services/journal.py: the serial moves, front caches purge)."""
    return package_services.record(project, action, user=actor)
