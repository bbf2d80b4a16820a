"""RSS feeds (django.contrib.syndication): newest projects, latest releases, one project's releases.

Readers render an RSS <description> as HTML, so text written by uploaders (summaries, author
names) is HTML-escaped before the feed's own XML escaping: it shows as the plain text it is.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.html import escape

from ..lookups import public_project
from ..models import Project, Release

FEED_SIZE = 40


class ReleaseItemsMixin:
    """Feeds whose items are releases: summary, release page and upload date."""

    def item_description(self, release):
        return escape(release.summary)

    def item_link(self, release):
        return f"/project/{release.project.normalized_name}/{release.version}/"

    def item_pubdate(self, release):
        return release.created


class LatestUpdatesFeed(ReleaseItemsMixin, Feed):
    title = f"{settings.SITE_NAME}: latest updates"
    link = "/"
    description = "The newest releases of all projects."

    def items(self):
        return Release.objects.public().select_related("project").order_by("-created")[:FEED_SIZE]

    def item_title(self, release):
        return f"{release.project.name} {release.version}"

    def item_author_name(self, release):
        return release.author or None


class NewestPackagesFeed(Feed):
    title = f"{settings.SITE_NAME}: newest packages"
    link = "/"
    description = "Projects that were just created, with their first release."

    def items(self):
        projects = Project.objects.public().filter(releases__isnull=False).distinct().order_by("-created")[:FEED_SIZE]
        first = {}
        for release in (
            Release.objects.filter(project__in=list(projects))
            .order_by("created")
            .only("project_id", "summary", "version")
        ):
            first.setdefault(release.project_id, release)
        return [(project, first.get(project.pk)) for project in projects]

    def item_title(self, item):
        return item[0].name

    def item_description(self, item):
        return escape(item[1].summary) if item[1] else ""

    def item_link(self, item):
        return f"/project/{item[0].normalized_name}/"

    def item_pubdate(self, item):
        return item[0].created


class ProjectReleasesFeed(ReleaseItemsMixin, Feed):
    description = "Releases of one project, newest first."

    def get_object(self, request, name):
        project = public_project(name)
        if project is None:
            raise Http404("No such project.")
        return project

    def title(self, project):
        return f"{settings.SITE_NAME}: recent releases of {project.name}"

    def link(self, project):
        return f"/project/{project.normalized_name}/"

    def items(self, project):
        return Release.objects.filter(project=project).select_related("project").order_by("-created")[:FEED_SIZE]

    def item_title(self, release):
        return f"{release.version}{' (yanked)' if release.yanked else ''}"
