from django import template

from stats.services import project_downloads

register = template.Library()


@register.simple_tag
def downloads_of(project):
    """{% downloads_of project as downloads %}: last day, week and month, for the project page."""
    return project_downloads(project.pk)
