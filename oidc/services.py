"""Changes to issuers and trusted publishers. Publisher changes on a project are journaled and
mailed to its Owners (as pypi.org does); pending publishers become real on their first upload."""

from django.core.exceptions import ValidationError
from django.db import transaction

import outbox
from packages import services as package_services
from packages.models import ProhibitedProjectName, Project, Role
from packages.names import is_valid_name, normalize_name
from packages.tasks import send_publisher_mail

from . import kinds
from .issuers import check_issuer_url
from .models import OIDCIssuer, TrustedPublisher


class PublisherError(ValueError):
    """A publisher can't be added; the message is shown to the maintainer."""


def add_issuer(name, url, kind, *, enabled=True) -> OIDCIssuer:
    if kind not in kinds.KINDS:
        raise ValidationError(f"Unknown kind '{kind}': one of {', '.join(kinds.KINDS)}.")
    check_issuer_url(url)
    if OIDCIssuer.objects.filter(url=url).exists():
        raise ValidationError(f"An issuer with the URL '{url}' exists already.")
    if OIDCIssuer.objects.filter(name=name).exists():
        raise ValidationError(f"An issuer called '{name}' exists already.")
    return OIDCIssuer.objects.create(name=name, url=url, kind=kind, enabled=enabled)


def _clean(issuer, claims):
    try:
        return issuer.kind_spec.clean(claims)
    except kinds.ClaimsError as exc:
        raise PublisherError(str(exc)) from None


def _owners(project):
    return list(Role.objects.filter(project=project, role_name=Role.OWNER).values_list("user_id", flat=True))


def _notify(project, change, label, actor):
    recipients = _owners(project)
    if recipients:
        outbox.enqueue(
            send_publisher_mail,
            recipients,
            project.name,
            change,
            label,
            actor.username if actor is not None else "The index staff",
        )


@transaction.atomic
def add_publisher(project, issuer, claims, actor) -> TrustedPublisher:
    """A trusted publisher for an existing project (journaled, mailed to the Owners)."""
    claims = _clean(issuer, claims)
    if any(p.claims == claims for p in TrustedPublisher.objects.filter(project=project, issuer=issuer)):
        raise PublisherError("This project already has this trusted publisher.")
    publisher = TrustedPublisher.objects.create(issuer=issuer, claims=claims, project=project, added_by=actor)
    package_services.record(project, f"add trusted publisher {publisher.label}", user=actor)
    _notify(project, "added", publisher.label, actor)
    return publisher


@transaction.atomic
def add_pending_publisher(name, issuer, claims, user) -> TrustedPublisher:
    """A publisher that creates the project `name` on its first upload; `user` becomes its Owner."""
    normalized = normalize_name(name)
    if not is_valid_name(name):
        raise PublisherError(f"'{name}' is not a valid project name.")
    if Project.objects.filter(normalized_name=normalized).exists():
        raise PublisherError(f"The project '{name}' exists already: add the publisher on its Publishing page.")
    if ProhibitedProjectName.objects.filter(name=normalized).exists():
        raise PublisherError(f"The name '{name}' isn't allowed. It has been prohibited by the index staff.")
    # The upload's other new-name rules (look-alikes, standard library names) run at the first upload.
    claims = _clean(issuer, claims)
    if TrustedPublisher.objects.filter(pending_name=normalized).exclude(added_by=user).exists():
        raise PublisherError(f"Another user registered a pending publisher for '{name}' already.")
    return TrustedPublisher.objects.create(issuer=issuer, claims=claims, pending_name=normalized, added_by=user)


@transaction.atomic
def remove_publisher(publisher, actor):
    """Delete it (its minted tokens die with it); journaled and mailed when it had a project."""
    project, label = publisher.project, publisher.label
    publisher.delete()
    if project is not None:
        package_services.record(project, f"remove trusted publisher {label}", user=actor)
        _notify(project, "removed", label, actor)


def activate_pending(publisher, project):
    """On the first upload of a pending publisher: attach it to the project it just created (in
    the upload's transaction) and drop the other pending publishers for that name."""
    TrustedPublisher.objects.filter(pending_name=publisher.pending_name).exclude(pk=publisher.pk).delete()
    TrustedPublisher.objects.filter(pk=publisher.pk).update(project=project, pending_name="")
    publisher.project, publisher.pending_name = project, ""
    package_services.record(
        project,
        f"add trusted publisher {publisher.label} (pending publisher registered by "
        f"{publisher.added_by.username if publisher.added_by else 'a removed user'})",
    )
