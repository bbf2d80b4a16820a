"""Factories for rows that need no stored bytes. For releases with real files use
devtools.publish.publish(), which goes through the services layer."""

import factory
from django.db import transaction

from accounts.tests.factories import UserFactory
from packages import services
from packages.models import ProhibitedProjectName, Project, Release


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"project-{n}")

    @classmethod
    def _create(cls, model_class, *args, owner=None, **kwargs):
        owner = owner or UserFactory()
        with transaction.atomic():
            project = services.create_project(kwargs.pop("name"), owner)
            for key, value in kwargs.items():
                setattr(project, key, value)
            if kwargs:
                project.save()
        return project


class ReleaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Release

    project = factory.SubFactory(ProjectFactory)
    version = factory.Sequence(lambda n: f"1.{n}")

    @classmethod
    def _create(cls, model_class, *args, project, version, uploader=None, **metadata):
        with transaction.atomic():
            return services.create_release(project, version, metadata, uploader)


class ProhibitedNameFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProhibitedProjectName

    name = factory.Sequence(lambda n: f"prohibited-{n}")
