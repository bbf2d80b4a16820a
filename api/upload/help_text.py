"""The text of the upload help page, /legacy/help/: the upload rules as maintainers read them,
one section an anchor (error messages link to them), summarised in the README section "Upload
rules". The rules themselves are enforced by validation.py (the request alone) and policy.py
(against the index)."""

from django.conf import settings

from .limits import human_size

SECTIONS = [  # (anchor, title, text)
    (
        "accounts",
        "Accounts and tokens",
        "Upload with an API token: username '__token__', the token as the password. Password uploads are refused "
        "unless the index sets UPLOAD_ALLOW_PASSWORD_AUTH. The account needs a verified primary e-mail address, must "
        "not be frozen, and needs two-factor authentication when UPLOAD_REQUIRE_2FA is set. A project-scoped token "
        "uploads to its project only and can't create projects. Uploading to an existing project needs the Owner or "
        "Maintainer role. New projects per user are rate limited (PROJECT_CREATE_RATE, answer 429).",
    ),
    (
        "organizations",
        "Organizations",
        "A project in an organization takes uploads from its collaborators, from the members of the organization's "
        "teams that hold a role on it (Owner or Maintainer), and from the organization's Owners. A token scoped to an "
        "organization uploads to that organization's projects only (where its user has a role), and its first upload "
        "of a new name creates the project in the organization when its user is an Owner or Manager there. A token "
        "acts only while its user has a role: someone removed from the organization loses its teams' roles at once. "
        "The projects of an organization the index staff froze take no uploads.",
    ),
    (
        "trusted-publishing",
        "Trusted publishers and attestations",
        "A CI job can upload without a stored token: it exchanges its OIDC identity token at /_/oidc/mint-token for a "
        "token that acts for the project's trusted publisher, for 15 minutes, on that project only (a pending "
        "publisher's token may create the project it names, owned by the user who registered it). Such uploads skip "
        "the account checks (they apply to the people who manage publishers). PEP 740 attestations (the "
        "'attestations' field) are accepted only with such a token, from a publisher whose kind can be verified "
        "(GitHub, gitlab.com, Google), and each must be signed by that publisher for the uploaded file.",
    ),
    (
        "project-names",
        "Project names",
        "A name is ASCII letters and digits with '.', '_' and '-' between them (PEP 508). Refused for new projects: "
        "names the staff prohibited, organizations' names, names of standard-library modules, and names that look like an existing project "
        "once case, separators and the look-alikes l/1/I and o/0 are folded (for everyone, that project's "
        "maintainers included; the index staff can create such a project). "
        "Names that normalize to an existing project's name (PEP 503) upload to that project.",
    ),
    (
        "filenames",
        "Versions and filenames",
        "Versions follow PEP 440; local versions (+local) are refused; an upload whose canonical version equals an "
        "existing release joins that release. Wheels are named per the binary distribution format with valid tags "
        "and a platform tag installers accept from an index (plain linux_x86_64 is refused; use manylinux/musllinux). "
        "Sdists are .tar.gz named <normalized_name>-<version>.tar.gz (PEP 625). The filename must match the form's "
        "name and version, 'pyversion' must be 'source' for an sdist and the wheel's Python tag for a wheel.",
    ),
    (
        "file-types",
        "File types",
        "Only 'sdist' (.tar.gz) and 'bdist_wheel' (.whl) are accepted. Eggs, .zip sdists, Windows installers and "
        "other retired types are refused.",
    ),
    (
        "filename-reuse",
        "Filenames are never reused",
        "Uploading the identical file again answers 200 and changes nothing, so a retried upload is harmless. The "
        "same filename with other bytes is refused with 'File already exists', and so is a filename that was ever "
        "used, even after the file was deleted: publish a new version (e.g. a .post1 release) instead. To skip "
        "files that are already here: twine 7 refuses --skip-existing for any index but pypi.org, so use "
        "'uv publish --check-url <this index>/simple/', 'poetry publish --skip-existing', "
        "'pdm publish --skip-existing', or twine 6 with --skip-existing.",
    ),
    (
        "releases",
        "Releases",
        "A release has at most one sdist. New files are refused for releases created more than "
        "UPLOAD_MAX_RELEASE_AGE_DAYS days ago (default 14). An archived project takes no uploads until it is "
        "unarchived; a quarantined one none until the staff review ends.",
    ),
    (
        "content",
        "What is inside the file",
        "A wheel is a zip with exactly one <name>-<version>.dist-info holding METADATA, WHEEL and RECORD; every member "
        "is listed in RECORD with a matching sha256 (or stronger) hash, and the tags in WHEEL cover the filename's. An "
        "sdist is a gzip tar with a single top directory <name>-<version>/ holding PKG-INFO. The name and version in "
        "METADATA/PKG-INFO must match the form. Refused: absolute or '..' member paths, links leaving the tree, "
        "special files, duplicate member names, zip central directories that disagree with the local headers, data "
        "before, between or after the zip entries, archives expanding past 2 GiB or (above 64 MiB) more than 50 times "
        "their size, and License-File entries missing from the archive.",
    ),
    (
        "metadata",
        "Metadata",
        "Metadata-Version 1.0 to 2.5. Classifiers must exist in trove-classifiers; deprecated ones and 'Private ::' "
        "ones are refused. License-Expression must be a valid SPDX expression (LicenseRef- allowed) and needs "
        "Metadata-Version 2.4, without a License field. Requires-Dist and Requires-Python must parse (no direct URL "
        "dependencies). Home-page, Download-URL and Project-URLs must be http(s) URLs; URL labels at most 32 "
        "characters. Author/maintainer e-mails must be valid. Summary is one line of at most 512 characters. The "
        "long description must render for its Description-Content-Type (text/plain, text/x-rst, text/markdown; "
        "reStructuredText when none is given): check it with 'twine check'. At least one digest (md5, sha256, "
        "blake2_256) must be sent and all sent must match the file.",
    ),
    (
        "size-limits",
        "Size limits",
        "Each file may be at most UPLOAD_MAX_FILE_SIZE (default 100 MiB) and a project's files together at most "
        "UPLOAD_MAX_PROJECT_SIZE (default 10 GiB); staff can raise both for a project (Project.upload_limit, "
        "total_size_limit), never lower them. The project's settings page shows the limits that apply. "
        "The body is streamed to disk and cut off with a 413 as soon as a limit is passed.",
    ),
    (
        "validate-only",
        "Validate only (dry run)",
        "Send the form field validate_only=1 or the header 'X-Validate-Only: 1' and the index runs every check above "
        "and answers 200 'OK (validate only: …)' without storing anything. twine has no option for it: send the "
        "same form with curl (see the README) or any HTTP client.",
    ),
    (
        "errors",
        "Error answers",
        "Every refusal is a 4xx (413 for size, 429 for rate limits, 410 for retired actions) whose reason phrase "
        "holds the message (twine, poetry, pdm and hatch print it). With 'Accept: application/json' (uv) the body "
        'is pypi.org\'s shape, {"message", "code": "<status> <message>", "title"}, plus this index\'s '
        '{"error_code", "field", "help_url"}; otherwise it is the message as text.',
    ),
    (
        "retired-actions",
        "Retired actions",
        "':action=submit' (pre-registration) and 'doc_upload' answer 410 Gone: upload files directly and host "
        "documentation elsewhere.",
    ),
    (
        "kill-switches",
        "Maintenance switches",
        "Staff can turn off uploads (503) or new project registration (403) for a while in the admin (AdminFlags).",
    ),
]


def limits_summary() -> str:
    return (
        f"Current limits: {human_size(settings.UPLOAD_MAX_FILE_SIZE)} per file, "
        f"{human_size(settings.UPLOAD_MAX_PROJECT_SIZE)} per project, releases accept new files for "
        f"{settings.UPLOAD_MAX_RELEASE_AGE_DAYS} days, new projects limited to {settings.PROJECT_CREATE_RATE}."
    )
