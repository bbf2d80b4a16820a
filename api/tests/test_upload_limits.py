"""One size-limit rule (packages/limits.py): what the portal and the admin show is what the upload
enforces, and staff can only raise the site defaults (as on pypi.org)."""

import random

import pytest
from django.test import Client

from accounts.tests.factories import DEFAULT_PASSWORD
from devtools.publish import publish
from devtools.testing.staff import staff_login
from packages import moderation
from packages.models import Project
from packages.staff_groups import ADMINS
from packages.tests.test_admin import staff_member

from .upload_support import EXISTING, post, wheel

pytestmark = pytest.mark.django_db

KIB = 1024


@pytest.fixture
def small_defaults(settings):
    settings.UPLOAD_MAX_FILE_SIZE = 4 * KIB
    settings.UPLOAD_MAX_PROJECT_SIZE = 64 * KIB
    settings.UPLOAD_LIMIT_CAP = 16 * KIB
    settings.UPLOAD_PROJECT_SIZE_CAP = 256 * KIB
    return settings


@pytest.fixture
def project(user):
    publish(user, EXISTING, "1.0", kinds=("wheel",))
    return Project.objects.get(normalized_name=EXISTING)


@pytest.fixture
def owner(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin(db):
    client = Client()
    staff_login(client, staff_member(ADMINS, "an-admin"), DEFAULT_PASSWORD)
    return client


def wheel_of_about(size, version):
    """A wheel a little over `size` bytes (incompressible content)."""
    noise = random.Random(size).randbytes(size)
    return wheel(EXISTING, version, extra=[("existing_pkg/noise.bin", noise)])


def portal(owner):
    return owner.get(f"/manage/project/{EXISTING}/settings/").content.decode()


def admin_page(admin, project):
    return admin.get(f"/admin/packages/project/{project.pk}/change/").content.decode()


def test_a_stored_staff_value_below_the_default_counts_as_the_default(
    small_defaults, project, owner, admin, user, token_for
):
    # Stored before staff values were checked (or the default was raised since).
    Project.objects.filter(pk=project.pk).update(upload_limit=1 * KIB, total_size_limit=8 * KIB)
    page = portal(owner)
    assert "Largest file: <strong>4.0\xa0KB</strong></li>" in page  # not 1.0 KB: uploads take 4 KiB
    assert "of <strong>64.0\xa0KB</strong>" in page and "raised for this project" not in page
    staff_page = admin_page(admin, project)
    assert "4.0\xa0KB" in staff_page and "of 64.0\xa0KB" in staff_page

    token = token_for(user)
    filename, data = wheel_of_about(2 * KIB, "2.0")
    assert 1 * KIB < len(data) < 4 * KIB
    assert post(Client(), token, filename, data).status_code == 200
    filename, data = wheel_of_about(5 * KIB, "3.0")
    refused = post(Client(), token, filename, data)
    assert refused.status_code == 413
    assert f"Limit for project '{EXISTING}' is 4 KiB." in refused.reason_phrase


def test_a_raised_limit_is_shown_and_enforced(small_defaults, project, owner, admin, user, token_for):
    Project.objects.filter(pk=project.pk).update(upload_limit=8 * KIB)
    assert "Largest file: <strong>8.0\xa0KB</strong> (raised for this project)" in portal(owner)
    assert "8.0\xa0KB" in admin_page(admin, project)
    filename, data = wheel_of_about(5 * KIB, "2.0")
    assert post(Client(), token_for(user), filename, data).status_code == 200
    filename, data = wheel_of_about(9 * KIB, "3.0")
    assert "is 8 KiB." in post(Client(), token_for(user), filename, data).reason_phrase


def test_a_value_above_the_cap_counts_as_the_cap(small_defaults, project, owner):
    Project.objects.filter(pk=project.pk).update(upload_limit=10**9)  # the cap was lowered since
    assert "Largest file: <strong>16.0\xa0KB</strong>" in portal(owner)


def test_staff_can_only_raise_the_defaults_up_to_the_cap(small_defaults, project, admin, user):
    url = f"/admin/packages/project/{project.pk}/change/"
    inline = {f"{prefix}-{key}": "0" for prefix in ("roles", "releases") for key in ("TOTAL_FORMS", "INITIAL_FORMS")}
    for upload_limit, total in ((1 * KIB, ""), (32 * KIB, ""), ("", 8 * KIB), ("", 512 * KIB)):
        refused = admin.post(url, {"upload_limit": upload_limit, "total_size_limit": total, **inline})
        assert refused.status_code == 200 and b"a limit can only be raised" in refused.content, (upload_limit, total)
    project.refresh_from_db()
    assert (project.upload_limit, project.total_size_limit) == (None, None)
    for low in ({"upload_limit": 1 * KIB, "total_size_limit": None}, {"upload_limit": None, "total_size_limit": 1}):
        with pytest.raises(moderation.ModerationError, match="can only be raised"):
            moderation.set_limits(project, user, **low)
    moderation.set_limits(project, user, upload_limit=16 * KIB, total_size_limit=256 * KIB)
    project.refresh_from_db()
    assert (project.upload_limit, project.total_size_limit) == (16 * KIB, 256 * KIB)
