from django.db import models
from packaging.version import InvalidVersion

from .names import canonical_version


class ProjectQuerySet(models.QuerySet):
    def public(self):
        """Projects that the simple index, JSON API and search show (not quarantined)."""
        return self.exclude(status="quarantined")

    def visible_to(self, user):
        """Public projects plus quarantined ones the user maintains (or all, for staff)."""
        if user is not None and user.is_authenticated:
            if user.is_staff:
                return self
            return self.filter(models.Q(roles__user=user) | ~models.Q(status="quarantined")).distinct()
        return self.public()


class ReleaseQuerySet(models.QuerySet):
    def public(self):
        return self.exclude(project__status="quarantined")

    def for_version(self, project, version):
        """The project's release equal to `version` under PEP 440 ('1.0' finds '1.0.0'), or None.

        Releases are stored under their canonical version, so this is one indexed lookup."""
        try:
            canonical = canonical_version(version)
        except InvalidVersion:
            return None
        return self.filter(project=project, canonical_version=canonical).first()
