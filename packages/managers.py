from django.db import models


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
