"""Valid uploads still go through, and the behaviours twine relies on keep working."""

import json

from packages.models import Project, Release

from .upload_support import EXISTING, post, sdist, snapshot, wheel


def test_valid_wheel_and_sdist_are_stored(ctx):
    for filename, data in (wheel(), sdist()):
        response = post(ctx.client, ctx.token, filename, data)
        assert response.status_code == 200, response.reason_phrase
        assert response.content == b"OK"
    release = Release.objects.get(project=ctx.existing, canonical_version="2")
    assert sorted(release.files.values_list("packagetype", flat=True)) == ["bdist_wheel", "sdist"]
    wheel_file = release.files.get(packagetype="bdist_wheel")
    assert wheel_file.has_metadata and wheel_file.python_version == "py3"


def test_new_project_is_created_with_uploader_as_owner(ctx):
    filename, data = wheel("brand-new", "0.1")
    response = post(ctx.client, ctx.token, filename, data, name="Brand_New", version="0.1")
    assert response.status_code == 200, response.reason_phrase
    project = Project.objects.get(normalized_name="brand-new")
    assert project.owners() == [ctx.alice]


def test_identical_reupload_is_a_no_op(ctx):
    filename, data = wheel()
    assert post(ctx.client, ctx.token, filename, data).status_code == 200
    before = snapshot()
    response = post(ctx.client, ctx.token, filename, data)
    assert response.status_code == 200
    assert b"identical" in response.content
    assert snapshot() == before


def test_permission_is_checked_before_the_identical_reupload_no_op(ctx):
    filename, data = wheel()
    assert post(ctx.client, ctx.token, filename, data).status_code == 200
    response = post(ctx.client, ctx.bob_token, filename, data)
    assert response.status_code == 403
    assert "isn't allowed to upload to project 'existing-pkg'" in response.reason_phrase


def test_same_canonical_version_joins_the_existing_release(ctx):
    filename, data = wheel(version="2.0.0")
    assert post(ctx.client, ctx.token, filename, data, version="2.0.0").status_code == 200
    filename, data = sdist(version="2")
    response = post(ctx.client, ctx.token, filename, data, version="2")
    assert response.status_code == 200, response.reason_phrase
    release = Release.objects.get(project=ctx.existing, version="2.0.0")
    assert Release.objects.filter(project=ctx.existing).count() == 2  # 1.0 and 2.0.0
    assert sorted(release.files.values_list("filename", flat=True)) == [
        "existing_pkg-2.0.0-py3-none-any.whl",
        "existing_pkg-2.tar.gz",
    ]


def test_validate_only_runs_the_checks_and_stores_nothing(ctx):
    before = snapshot()
    filename, data = wheel("dry-run-pkg", "1.0")
    for how in ({"validate_only": "1"}, {"headers": {"HTTP_X_VALIDATE_ONLY": "true"}}):
        response = post(ctx.client, ctx.token, filename, data, name="dry-run-pkg", version="1.0", **how)
        assert response.status_code == 200, response.reason_phrase
        assert b"validate only" in response.content
    assert snapshot() == before
    # ... and a bad file is still refused in validate-only mode.
    response = post(
        ctx.client, ctx.token, filename, data + b"junk", name="dry-run-pkg", version="1.0", validate_only="1"
    )
    assert response.status_code == 400


def test_json_error_body_when_the_client_accepts_json(ctx):
    filename, data = wheel(version="1.0+local")
    response = post(
        ctx.client, ctx.token, filename, data, version="1.0+local", headers={"HTTP_ACCEPT": "application/json"}
    )
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["error_code"] == "local_version" and body["field"] == "version"
    assert body["message"] == response.reason_phrase == "The use of local versions in '1.0+local' is not allowed."
    assert body["help_url"].startswith("https://packaging.python.org/")
    plain = post(ctx.client, ctx.token, filename, data, version="1.0+local")
    assert plain["Content-Type"].startswith("text/plain") and b"local versions" in plain.content


def test_a_look_alike_is_refused_for_everyone_its_owner_included(ctx):
    filename, data = wheel("exist1ng-pkg", "1.0")
    for token in (ctx.bob_token, ctx.token):  # ctx.token: alice, who owns existing-pkg
        response = post(ctx.client, token, filename, data, name="exist1ng-pkg", version="1.0")
        assert response.status_code == 400
        assert "too similar to an existing project 'existing-pkg'" in response.reason_phrase


def test_staff_create_a_look_alike_in_the_admin_and_its_owner_then_uploads(ctx):
    from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
    from devtools.testing.staff import staff_login
    from packages.models import Role

    staff = UserFactory(username="root", is_staff=True, is_superuser=True)
    staff_login(ctx.client, staff, DEFAULT_PASSWORD)  # the admin asks staff for their second factor
    response = ctx.client.post("/admin/packages/project/add/", {"name": "exist1ng-pkg", "owner": ctx.alice.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    project = Project.objects.get(normalized_name="exist1ng-pkg")
    assert Role.objects.filter(project=project, user=ctx.alice, role_name=Role.OWNER).exists()
    ctx.client.logout()
    filename, data = wheel("exist1ng-pkg", "1.0")
    response = post(ctx.client, ctx.token, filename, data, name="exist1ng-pkg", version="1.0")
    assert response.status_code == 200, response.reason_phrase


def test_help_page_has_an_anchor_for_every_linked_rule(client):
    from api.upload.help_text import SECTIONS

    page = client.get("/legacy/help/").content.decode()
    for anchor, title, _ in SECTIONS:
        assert f'id="{anchor}"' in page


def test_rich_valid_metadata_is_accepted_and_kept(ctx):
    filename, data = wheel()
    response = post(
        ctx.client,
        ctx.token,
        filename,
        data,
        metadata_version="2.4",
        license_expression="MIT OR LicenseRef-Custom-1",
        classifiers=["Programming Language :: Python :: 3"],
        requires_dist=["requests>=2; python_version >= '3.8'", "rich[jupyter]"],
        requires_python=">=3.9",
        project_urls=["Source, https://example.com/src", "Docs, http://docs.example.com"],
        home_page="https://example.com",
        author_email="A. Person <a.person@example.com>",
        description="# Title\n\nSome *markdown* text.\n",
        description_content_type="text/markdown; variant=CommonMark",
    )
    assert response.status_code == 200, response.reason_phrase
    release = Release.objects.get(project=ctx.existing, version="2.0")
    assert release.license_expression == "MIT OR LicenseRef-Custom-1"
    assert release.project_urls == {"Source": "https://example.com/src", "Docs": "http://docs.example.com"}
    assert release.classifier_names == ["Programming Language :: Python :: 3"]


def test_metadata_version_2_5_is_accepted(ctx):
    filename, data = wheel()
    response = post(ctx.client, ctx.token, filename, data, metadata_version="2.5")
    assert response.status_code == 200, response.reason_phrase


def test_existing_owner_keeps_uploading_after_the_name_becomes_prohibited(ctx):
    from packages.models import ProhibitedProjectName

    ProhibitedProjectName.objects.create(name=EXISTING)
    filename, data = wheel()
    response = post(ctx.client, ctx.token, filename, data, name="Existing.Pkg")  # another spelling, same project
    assert response.status_code == 200, response.reason_phrase
    assert Project.objects.filter(normalized_name=EXISTING).count() == 1


def test_password_upload_allowed_when_the_setting_says_so(ctx, settings, basic_auth, password):
    from .upload_support import form_for

    filename, data = wheel()
    form = form_for(filename, data)
    refused = ctx.client.post("/legacy/", form, HTTP_AUTHORIZATION=basic_auth("alice", password))
    assert refused.status_code == 403
    settings.UPLOAD_ALLOW_PASSWORD_AUTH = True
    form = form_for(filename, data)
    accepted = ctx.client.post("/legacy/", form, HTTP_AUTHORIZATION=basic_auth("alice", password))
    assert accepted.status_code == 200, accepted.reason_phrase


def test_every_help_anchor_used_by_an_error_exists_on_the_help_page():
    import re
    from pathlib import Path

    from api.upload.help_text import SECTIONS

    source = "".join(p.read_text() for p in (Path(__file__).resolve().parents[1] / "upload").glob("*.py"))
    used = set(re.findall(r'help_url\("([a-z-]+)"\)', source)) | set(re.findall(r'anchor="([a-z-]+)"', source))
    assert used and used <= {anchor for anchor, _title, _text in SECTIONS}


def test_new_projects_are_counted_per_uploader_against_the_rate(ctx, settings):
    settings.PROJECT_CREATE_RATE = "3/h"  # alice and bob each created one project in ctx
    for name in ("rate-one", "rate-two"):
        filename, data = wheel(name, "1.0")
        assert post(ctx.client, ctx.token, filename, data, name=name, version="1.0").status_code == 200
    filename, data = wheel("rate-one", "1.1")  # a new release of one's own project is not a new project
    assert post(ctx.client, ctx.token, filename, data, name="rate-one", version="1.1").status_code == 200
    filename, data = wheel("rate-three", "1.0")
    refused = post(ctx.client, ctx.token, filename, data, name="rate-three", version="1.0")
    assert refused.status_code == 429 and "Too many new projects created: at most 3" in refused.reason_phrase
    response = post(ctx.client, ctx.bob_token, filename, data, name="rate-three", version="1.0")
    assert response.status_code == 200, response.reason_phrase  # another uploader has their own count


def test_the_first_upload_makes_the_upload_temp_folder(ctx, settings, tmp_path):
    # Settings create no folder (pypiapp/tests/test_settings.py): the upload handler makes it.
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "fresh" / "upload-tmp")
    filename, data = wheel()
    assert post(ctx.client, ctx.token, filename, data).status_code == 200
    assert (tmp_path / "fresh" / "upload-tmp").is_dir()
