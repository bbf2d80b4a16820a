from django import template

from stats.services import downloads_of as project_downloads_of

register = template.Library()


@register.simple_tag
def downloads_of(project):
    """{% downloads_of project as downloads %}: last day, week and month, for the project page."""
    return project_downloads_of(project)
