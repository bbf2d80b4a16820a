"""A corpus of hostile and malformed uploads: each is refused with the right status and message,
and leaves no row and no stored byte behind."""

import base64
import gzip
import tarfile
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from accounts.tokens import issue_token
from devtools.dists import core_metadata
from packages import flags, services
from packages.models import AdminFlag, File, ProhibitedProjectName

from .upload_support import (
    EXISTING,
    form_for,
    post,
    sdist,
    snapshot,
    tar_bomb,
    tar_link,
    wheel,
    zip_bomb,
)

W = wheel  # short names keep the table readable
S = sdist


def up(builder=None, **fields):
    """A case body: upload `builder()` (default: a good wheel of existing-pkg 2.0) with form overrides."""

    def run(ctx, settings):
        filename, data = builder() if builder else W()
        return post(ctx.client, ctx.token, filename, data, **fields)

    return run


def _headers_only(headers):
    def run(ctx, settings):
        filename, data = W()
        return ctx.client.post("/legacy/", form_for(filename, data), **headers)

    return run


def _password(ctx, settings):
    header = "Basic " + base64.b64encode(b"alice:correct-horse-battery-staple").decode()
    filename, data = W()
    return ctx.client.post("/legacy/", form_for(filename, data), HTTP_AUTHORIZATION=header)


def _unverified(ctx, settings):
    carol = UserFactory(username="carol", verified_email=False)
    filename, data = W("carols-pkg", "1.0")
    return post(ctx.client, issue_token(carol, "t").raw, filename, data, name="carols-pkg", version="1.0")


def _frozen(ctx, settings):
    ctx.alice.is_frozen = True
    ctx.alice.save()
    filename, data = W()
    return post(ctx.client, ctx.token, filename, data)


def _two_factor(ctx, settings):
    settings.UPLOAD_REQUIRE_2FA = True
    return up()(ctx, settings)


def _scoped_token(ctx, settings):
    from packages.models import Project

    token = issue_token(ctx.alice, "scoped", project=Project.objects.get(normalized_name="bobs-pkg")).raw
    filename, data = W()
    return post(ctx.client, token, filename, data)


def _no_role(ctx, settings):
    filename, data = W()
    return post(ctx.client, ctx.bob_token, filename, data)


def _flag(flag_id, builder=None, **fields):
    def run(ctx, settings):
        AdminFlag.objects.update_or_create(id=flag_id, defaults={"enabled": True, "description": "test"})
        flags.forget_cached_flags()
        return up(builder, **fields)(ctx, settings)

    return run


def _status(status):
    def run(ctx, settings):
        ctx.existing.status = status
        ctx.existing.save()
        return up()(ctx, settings)

    return run


def _rate_limited(ctx, settings):
    settings.PROJECT_CREATE_RATE = "0/h"
    return up(lambda: W("fresh-pkg", "1.0"), name="fresh-pkg", version="1.0")(ctx, settings)


def _prohibited(ctx, settings):
    ProhibitedProjectName.objects.create(name="Evil_Pkg")
    return up(lambda: W("evil-pkg", "1.0"), name="evil.pkg", version="1.0")(ctx, settings)


def _file_exists(ctx, settings):
    filename, data = W(version="1.0", meta_kwargs={"summary": "other bytes"})
    return post(ctx.client, ctx.token, filename, data, version="1.0")


def _reused_filename(ctx, settings):
    wheel_file = File.objects.get(filename="existing_pkg-1.0-py3-none-any.whl")
    services.delete_file(wheel_file, ctx.alice)
    filename, data = W(version="1.0", meta_kwargs={"summary": "new bytes"})
    return post(ctx.client, ctx.token, filename, data, version="1.0")


def _second_sdist(ctx, settings):
    # 1.0.0 is release 1.0 under PEP 440, which already has its sdist.
    filename, data = S(version="1.0.0")
    return post(ctx.client, ctx.token, filename, data, version="1.0.0")


def _old_release(ctx, settings):
    ctx.existing.releases.update(created=timezone.now() - timedelta(days=30))
    filename, data = W(version="1.0", tag="py2-none-any")
    return post(ctx.client, ctx.token, filename, data, version="1.0")


def _file_too_large(ctx, settings):
    settings.UPLOAD_MAX_FILE_SIZE = 100
    return up()(ctx, settings)


def _project_too_large(ctx, settings):
    settings.UPLOAD_MAX_PROJECT_SIZE = ctx.existing.total_size + 100
    return up()(ctx, settings)


def _zip_tamper(mutate):
    def build():
        filename, data = W()
        return filename, mutate(data)

    return build


def _rename_local_header(data):
    return data.replace(b"existing_pkg/__init__.py", b"existing_pkg/__init__.pz", 1)


def _member(path, data=b"x = 1\n"):
    return [(path, data)]


def _break_hash(text):
    lines = text.splitlines()
    lines = [
        line.replace(",sha256=", ",sha256=AAAA") if line.startswith("existing_pkg/a.py") else line for line in lines
    ]
    return "\n".join(lines) + "\n"


def _device(path):
    info = tarfile.TarInfo(path)
    info.type = tarfile.CHRTYPE
    return info


CASES = [
    # Accounts and credentials
    ("no-auth", _headers_only({}), 403, "Invalid or non-existent authentication information"),
    (
        "bad-token",
        _headers_only({"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"__token__:pypi-x_y").decode()}),
        403,
        "Invalid API Token",
    ),
    ("password-auth", _password, 403, "Username/Password authentication is no longer supported"),
    ("unverified-email", _unverified, 403, "does not have a verified primary email address"),
    ("frozen-user", _frozen, 403, "is frozen"),
    ("2fa-required", _two_factor, 403, "does not have two-factor authentication enabled"),
    ("token-other-project", _scoped_token, 403, "isn't allowed to upload to project 'existing-pkg'"),
    ("no-role", _no_role, 403, "The user 'bob' isn't allowed to upload to project 'existing-pkg'"),
    ("uploads-disabled", _flag(flags.DISALLOW_NEW_UPLOAD), 503, "New uploads are temporarily disabled"),
    (
        "projects-disabled",
        _flag(flags.DISALLOW_NEW_PROJECT, lambda: W("fresh-pkg", "1.0"), name="fresh-pkg", version="1.0"),
        403,
        "New project registration is temporarily disabled",
    ),
    ("rate-limited", _rate_limited, 429, "Too many new projects created"),
    ("project-archived", _status("archived"), 400, "Project 'existing-pkg' is archived"),
    ("project-quarantined", _status("quarantined"), 403, "Project 'existing-pkg' is quarantined"),
    # The form
    ("action-submit", up(**{":action": "submit"}), 410, "pre-registration is no longer"),
    ("action-doc-upload", up(**{":action": "doc_upload"}), 410, "Uploading documentation is no longer supported"),
    ("action-unknown", up(**{":action": "frobnicate"}), 400, "Unknown or missing ':action'"),
    ("protocol-version", up(protocol_version="2"), 400, "Unknown protocol version."),
    ("no-digest", up(sha256_digest=None), 400, "Include at least one message digest."),
    ("wrong-sha256", up(sha256_digest="0" * 64), 400, "The digest supplied does not match a digest calculated"),
    ("wrong-md5", up(md5_digest="0" * 32), 400, "The digest supplied does not match a digest calculated"),
    ("metadata-version-future", up(metadata_version="3.0"), 400, "is an invalid value for Metadata-Version"),
    ("metadata-version-2.0", up(metadata_version="2.0"), 400, "is an invalid value for Metadata-Version"),
    # Names and versions
    ("name-syntax", up(name="-bad-"), 400, "'-bad-' is an invalid value for Name"),
    ("name-prohibited", _prohibited, 400, "The name 'evil.pkg' isn't allowed"),
    (
        "name-stdlib",
        up(lambda: W("asyncio", "1.0"), name="asyncio", version="1.0"),
        400,
        "conflict with Python Standard Library module name",
    ),
    (
        "name-lookalike",
        up(lambda: W("b0bs-pkg", "1.0"), name="b0bs-pkg", version="1.0"),
        400,
        "is too similar to an existing project 'bobs-pkg'",
    ),
    ("version-invalid", up(version="one.two"), 400, "'one.two' is an invalid value for Version"),
    (
        "version-local",
        up(lambda: W(version="2.0+local"), version="2.0+local"),
        400,
        "The use of local versions in '2.0+local' is not allowed.",
    ),
    # Metadata fields
    ("classifier-unknown", up(classifiers="Programming Language :: Cobol++"), 400, "is not a valid classifier"),
    ("classifier-private", up(classifiers="Private :: Do Not Upload"), 400, "'Private ::' classifiers"),
    ("classifier-deprecated", up(classifiers="Framework :: Django CMS :: 4.2"), 400, "has been deprecated"),
    (
        "license-expression-bad",
        up(metadata_version="2.4", license_expression="MIT OR Nonsense-9"),
        400,
        "is not a valid SPDX License-Expression",
    ),
    ("license-expression-old-metadata", up(license_expression="MIT"), 400, "needs Metadata-Version 2.4"),
    (
        "license-and-expression",
        up(metadata_version="2.4", license_expression="MIT", license="MIT"),
        400,
        "License is deprecated when License-Expression is present",
    ),
    ("requires-dist-bad", up(requires_dist="requests >>= 2"), 400, "is an invalid value for Requires-Dist"),
    ("requires-dist-url", up(requires_dist="pkg @ https://example.com/pkg.whl"), 400, "Can't have direct dependency"),
    ("requires-python-bad", up(requires_python=">=3.x"), 400, "is an invalid value for Requires-Python"),
    ("project-url-ftp", up(project_urls="Source, ftp://example.com/src"), 400, "Must be a valid, absolute http"),
    ("home-page-javascript", up(home_page="javascript:alert(1)"), 400, "Must be a valid, absolute http"),
    ("project-url-label-long", up(project_urls="L" * 40 + ", https://example.com"), 400, "must be 32 characters"),
    ("summary-too-long", up(summary="s" * 600), 400, "'Summary' field must be 512 characters or less."),
    ("summary-two-lines", up(summary="one\ntwo"), 400, "Use a single line only."),
    ("author-email-bad", up(author_email="Someone <not-an-address>"), 400, "is an invalid value for Author-email"),
    (
        "description-rst-broken",
        up(description="Title\n=====\n\n.. nonsense-directive::\n\n   x\n"),
        400,
        "The description failed to render in the default format of reStructuredText.",
    ),
    (
        "description-type-unknown",
        up(description="x", description_content_type="text/html"),
        400,
        "Invalid description content type 'text/html'",
    ),
    (
        "description-charset",
        up(description="x", description_content_type="text/markdown; charset=latin-1"),
        400,
        "the charset must be UTF-8",
    ),
    # Filenames and file types
    (
        "egg",
        up(lambda: ("existing_pkg-2.0-py3.11.egg", b"egg"), filetype="bdist_egg", pyversion="3.11"),
        400,
        "Eggs are no longer accepted",
    ),
    ("filetype-unknown", up(filetype="bdist_foo"), 400, "Unknown type of file 'bdist_foo'"),
    (
        "sdist-zip",
        up(lambda: ("existing_pkg-2.0.zip", b"PK"), filetype="sdist"),
        400,
        "Invalid file extension: a 'sdist' must end with .tar.gz",
    ),
    (
        "platform-linux",
        up(lambda: W(tag="cp311-cp311-linux_x86_64")),
        400,
        "has an unsupported platform tag 'linux_x86_64'",
    ),
    (
        "filename-name-mismatch",
        up(lambda: W("other-pkg")),
        400,
        "Start filename for 'existing-pkg' with 'existing_pkg'",
    ),
    ("filename-version-mismatch", up(lambda: W(version="3.0")), 400, "Version in filename should be '2.0' not '3.0'"),
    (
        "sdist-not-pep625",
        up(lambda: S(filename="Existing-Pkg-2.0.tar.gz")),
        400,
        "Filename 'Existing-Pkg-2.0.tar.gz' is invalid, should be 'existing_pkg-2.0.tar.gz'",
    ),
    ("sdist-pyversion", up(lambda: S(), pyversion="py3"), 400, "Use 'source' as the pyversion of an sdist."),
    ("wheel-pyversion", up(pyversion="cp27"), 400, "does not match the wheel's Python tag 'py3'"),
    (
        "wheel-filename-invalid",
        up(lambda: ("existing_pkg-2.0.whl", W()[1]), pyversion="py3"),
        400,
        "Invalid wheel filename",
    ),
    ("empty-file", up(lambda: (W()[0], b"")), 400, "The uploaded file is empty."),
    # Index state
    ("file-exists", _file_exists, 400, "File already exists ('existing_pkg-1.0-py3-none-any.whl'"),
    ("filename-reused", _reused_filename, 400, "This filename was previously used by a file that has since been"),
    ("second-sdist", _second_sdist, 400, "Only one sdist may be uploaded per release."),
    ("release-too-old", _old_release, 400, "it was created more than 14 days ago"),
    ("file-too-large", _file_too_large, 413, "File too large. Limit for project 'existing-pkg' is"),
    ("project-too-large", _project_too_large, 413, "Project size too large. Limit for project 'existing-pkg'"),
    # Wheel content
    ("wheel-not-zip", up(lambda: (W()[0], b"not a zip at all" * 10)), 400, "The file is not a zip archive."),
    ("zip-traversal", up(lambda: W(extra=_member("../evil.py"))), 400, "'../evil.py' points outside the archive"),
    ("zip-absolute", up(lambda: W(extra=_member("/etc/evil.py"))), 400, "'/etc/evil.py' has an absolute path"),
    (
        "zip-duplicate",
        up(lambda: W(duplicate="existing_pkg/__init__.py")),
        400,
        "contains the member 'existing_pkg/__init__.py' more than once",
    ),
    (
        "zip-trailing-data",
        up(_zip_tamper(lambda d: d + b"trailing bytes")),
        400,
        "There is data after the end of the zip archive.",
    ),
    (
        "zip-prepended-data",
        up(_zip_tamper(lambda d: b"#!/bin/sh\nexit 0\n" + d)),
        400,
        "There is data before or inside the zip archive",
    ),
    (
        "zip-header-mismatch",
        up(_zip_tamper(_rename_local_header)),
        400,
        "The central directory and the local header disagree on the name",
    ),
    ("zip-bomb", up(zip_bomb), 400, "compression ratio is over 50:1"),
    (
        "wheel-no-record",
        up(lambda: W(drop=["{info}/RECORD"], record=False)),
        400,
        "does not contain the required RECORD file",
    ),
    ("wheel-no-metadata", up(lambda: W(drop=["{info}/METADATA"])), 400, "does not contain the required METADATA file"),
    ("wheel-untouched-control", up(_zip_tamper(lambda d: d)), 200, "OK"),  # the builders make valid wheels
    (
        "wheel-record-hash",
        up(lambda: W(extra=_member("existing_pkg/a.py"), record_edit=_break_hash)),
        400,
        "The hash or size of 'existing_pkg/a.py' does not match its RECORD entry.",
    ),
    (
        "wheel-record-md5",
        up(lambda: W(record_edit=lambda t: t.replace("sha256=", "md5="))),
        400,
        "needs a sha256 (or stronger) hash",
    ),
    (
        "wheel-unrecorded-file",
        up(lambda: W(unrecorded=_member("existing_pkg/sneaky.py"))),
        400,
        "'existing_pkg/sneaky.py' is in the wheel but not in its RECORD file.",
    ),
    (
        "wheel-record-ghost",
        up(lambda: W(record_edit=lambda t: t + "existing_pkg/ghost.py,sha256=AAAA,1\n")),
        400,
        "RECORD lists 'existing_pkg/ghost.py', which is not in the wheel.",
    ),
    (
        "wheel-metadata-name",
        up(lambda: W(metadata=core_metadata("something-else", "2.0"))),
        400,
        "The name in the wheel's METADATA ('something-else') does not match",
    ),
    (
        "wheel-metadata-version",
        up(lambda: W(metadata=core_metadata(EXISTING, "2.1"))),
        400,
        "The version in the wheel's METADATA ('2.1') does not match",
    ),
    (
        "wheel-tag-confusion",
        up(lambda: W(wheel_file="Wheel-Version: 1.0\nTag: cp311-cp311-win_amd64\n")),
        400,
        "are not the tags in the WHEEL file",
    ),
    (
        "wheel-bad-tag-line",
        up(lambda: W(wheel_file="Wheel-Version: 1.0\nTag: py3-none-any\nTag: nonsense\n")),
        400,
        "The WHEEL file has an invalid Tag line.",
    ),
    (
        "wheel-version-2",
        up(lambda: W(wheel_file="Wheel-Version: 2.0\nTag: py3-none-any\n")),
        400,
        "must declare Wheel-Version 1.x",
    ),
    # Sdist content
    (
        "sdist-not-gzip",
        up(lambda: (S()[0], b"plain text, not gzip" * 5)),
        400,
        "not a valid gzip-compressed tar archive",
    ),
    (
        "tar-traversal",
        up(lambda: S(extra=_member("existing_pkg-2.0/../../etc/passwd"))),
        400,
        "points outside the archive",
    ),
    ("tar-absolute", up(lambda: S(extra=_member("/etc/passwd"))), 400, "has an absolute path"),
    ("tar-two-tops", up(lambda: S(extra=_member("other-top/setup.py"))), 400, "single top directory"),
    ("tar-no-pkg-info", up(lambda: S(drop_pkg_info=True)), 400, "has no existing_pkg-2.0/PKG-INFO file"),
    (
        "tar-symlink-escape",
        up(lambda: S(extra=[tar_link("existing_pkg-2.0/link", "../../etc/passwd")])),
        400,
        "Link 'existing_pkg-2.0/link' points outside the source tree",
    ),
    (
        "tar-hardlink-abs",
        up(lambda: S(extra=[tar_link("existing_pkg-2.0/hl", "/etc/shadow", tarfile.LNKTYPE)])),
        400,
        "points outside the source tree",
    ),
    ("tar-device", up(lambda: S(extra=[_device("existing_pkg-2.0/dev")])), 400, "is a device, pipe or other"),
    ("tar-duplicate", up(lambda: S(extra=_member("existing_pkg-2.0/PKG-INFO", b"Name: x\n"))), 400, "more than once"),
    ("tar-bomb", up(tar_bomb), 400, "compression ratio is over 50:1"),
    (
        "gzip-trailing-garbage",
        up(lambda: (S()[0], S()[1] + b"trailing garbage")),
        400,
        "There is data after the end of the gzip stream.",
    ),
    (
        "tar-data-after-end",
        up(lambda: (S()[0], S()[1] + gzip.compress(b"hidden payload"))),
        400,
        "There is data after the end of the tar archive.",
    ),
    (
        "sdist-metadata-name",
        up(lambda: S(metadata=core_metadata("something-else", "2.0"))),
        400,
        "The name in the sdist's PKG-INFO ('something-else') does not match",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_hostile_upload_is_refused_and_nothing_is_stored(case, ctx, settings):
    _id, run, status, message = case
    before = snapshot()
    response = run(ctx, settings)
    body = response.content.decode()
    assert response.status_code == status, (response.reason_phrase, body)
    assert message in response.reason_phrase and message in body
    if status != 200:
        after = snapshot()
        if _id == "filename-reused":  # the deletion itself (setup) removed one file row
            before["files"] -= 1
            before["journal"] += 1
        assert after == before


def test_the_corpus_is_big_enough():
    assert len([case for case in CASES if case[2] != 200]) >= 40
