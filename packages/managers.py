from django.db import models
from packaging.version import InvalidVersion

from .names import canonical_version


def public_q(prefix="", user=None):
    """The projects listings show `user` (None: anyone), as a filter: not quarantined, and not
    private unless the user may see it (packages/permissions.py). `prefix`: the lookup path from
    another model to the project, e.g. "file__release__project__"."""
    from .permissions import readable_by_user

    return ~models.Q(**{f"{prefix}status": "quarantined"}) & readable_by_user(user, prefix=prefix)


class ProjectQuerySet(models.QuerySet):
    def public(self):
        """Projects that the simple index, JSON API, XML-RPC, feeds, search and counts show to
        everyone: not quarantined, not private."""
        return self.filter(public_q())

    def listed_for(self, user):
        """What listings (search) show `user`: public() plus the private projects the user may see."""
        return self.filter(public_q(user=user))

    def visible_to(self, user):
        """What the web pages show `user`: public projects, the private ones the user may see, and
        quarantined ones the user maintains (all quarantined ones, for staff)."""
        from .permissions import readable_by_user

        readable = self.filter(readable_by_user(user))
        if user is not None and user.is_authenticated:
            if user.is_staff:
                return readable
            return readable.filter(models.Q(roles__user=user) | ~models.Q(status="quarantined")).distinct()
        return self.public()


class ReleaseQuerySet(models.QuerySet):
    def public(self):
        return self.filter(public_q("project__"))

    def for_version(self, project, version):
        """The project's release equal to `version` under PEP 440 ('1.0' finds '1.0.0'), or None.

        Releases are stored under their canonical version, so this is one indexed lookup."""
        try:
            canonical = canonical_version(version)
        except InvalidVersion:
            return None
        return self.filter(project=project, canonical_version=canonical).first()
