"""The XML-RPC methods. Each takes positional parameters as pypi.org's did and returns plain data.

Unknown projects give empty results (as on pypi.org), never faults; quarantined and private
projects are unknown to every method (XML-RPC reads no credentials: it serves mirrors, which
mirror public projects), the changelog included.
"""

import contextvars
import inspect
import xmlrpc.client
from datetime import datetime, timezone

from django.conf import settings
from django.contrib.auth import get_user_model

from core.search_bound import check_query
from packages.lookups import public_project
from packages.managers import public_q
from packages.models import File, JournalEntry, Project, Release, Role, latest_release
from packages.search import search_projects
from packages.services.journal import global_serial

from ..json.documents import find_release

REGISTRY = {}
# Absolute base URL of the current request, for file and project links.
BASE_URL = contextvars.ContextVar("xmlrpc_base_url", default="")
SEARCH_FIELDS = (
    "name",
    "version",
    "author",
    "author_email",
    "maintainer",
    "maintainer_email",
    "home_page",
    "license",
    "summary",
    "description",
    "keywords",
    "platform",
    "download_url",
)


def method(name):
    def register(func):
        REGISTRY[name] = func
        return func

    return register


def _limit(name, default):
    return getattr(settings, name, default)


def _timestamp(dt):
    return int(dt.timestamp())


def _entry_row(entry, with_id):
    row = [entry.name, entry.version or "", _timestamp(entry.submitted_date), entry.action]
    return row + [entry.id] if with_id else row


@method("list_packages")
def list_packages():
    """Names of every project."""
    return list(Project.objects.public().order_by("normalized_name").values_list("name", flat=True))


@method("list_packages_with_serial")
def list_packages_with_serial():
    """{name: last_serial} for every project."""
    return dict(Project.objects.public().order_by("normalized_name").values_list("name", "last_serial"))


@method("package_releases")
def package_releases(package_name, show_hidden=False):
    """Versions of a project, newest first: all of them with show_hidden, else only the latest unyanked one."""
    project = public_project(package_name)
    if project is None:
        return []
    releases = list(project.releases.all())
    if not show_hidden:
        latest = latest_release(r for r in releases if not r.yanked)
        return [latest.version] if latest else []
    return [r.version for r in sorted(releases, key=lambda r: r.parsed_version, reverse=True)]


@method("package_roles")
def package_roles(package_name):
    """[[role, username], ...] for a project, owners first."""
    project = public_project(package_name)
    if project is None:
        return []
    roles = Role.objects.filter(project=project).select_related("user")
    ordered = sorted(roles, key=lambda r: (r.role_name != Role.OWNER, r.user.username))
    return [[r.role_name, r.user.username] for r in ordered]


@method("user_packages")
def user_packages(user):
    """[[role, project name], ...] for a username."""
    account = get_user_model().objects.filter(username=user).first()
    if account is None:
        return []
    roles = Role.objects.filter(public_q("project__"), user=account)
    return [[r.role_name, r.project.name] for r in roles.select_related("project").order_by("project__normalized_name")]


def _release(package_name, version):
    project = public_project(package_name)
    return (project, find_release(project, version)) if project else (None, None)


@method("release_urls")
def release_urls(package_name, version):
    """The files of one release."""
    _, release = _release(package_name, str(version))
    if release is None:
        return []
    base = BASE_URL.get() or settings.SITE_URL.rstrip("/")
    return [
        {
            "filename": f.filename,
            "packagetype": f.packagetype,
            "python_version": f.python_version,
            "size": f.size,
            "md5_digest": f.md5_digest,
            "sha256_digest": f.sha256_digest,
            "digests": {"md5": f.md5_digest, "sha256": f.sha256_digest, "blake2b_256": f.blake2_256_digest},
            "has_sig": False,
            "upload_time": xmlrpc.client.DateTime(f.upload_time.astimezone(timezone.utc).replace(tzinfo=None)),
            "upload_time_iso_8601": f.upload_time.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "comment_text": "",
            "downloads": -1,
            "url": base + f.url_path,
            "requires_python": release.requires_python,
            "yanked": release.yanked,
            "yanked_reason": release.yanked_reason,
        }
        for f in File.objects.filter(release=release).order_by("filename")
    ]


@method("release_data")
def release_data(package_name, version):
    """Core metadata of one release ({} when there is no such release)."""
    project, release = _release(package_name, str(version))
    if release is None:
        return {}
    latest = latest_release(project.releases.all())
    base = BASE_URL.get() or settings.SITE_URL.rstrip("/")
    project_urls = dict(release.project_urls or {})
    return {
        "name": project.name,
        "version": release.version,
        "stable_version": latest.version if latest else "",
        "summary": release.summary,
        "description": release.description,
        "description_content_type": release.description_content_type,
        "keywords": release.keywords,
        "author": release.author,
        "author_email": release.author_email,
        "maintainer": release.maintainer,
        "maintainer_email": release.maintainer_email,
        "license": release.license,
        "license_expression": release.license_expression,
        "license_files": release.license_files or [],
        "home_page": release.home_page,
        "download_url": release.download_url,
        "platform": ", ".join(release.platform or []),
        "classifiers": release.classifier_names,
        "requires_python": release.requires_python,
        "requires_dist": release.requires_dist or [],
        "provides_extra": release.provides_extra or [],
        "provides_dist": release.provides_dist or [],
        "obsoletes_dist": release.obsoletes_dist or [],
        "requires_external": release.requires_external or [],
        "dynamic": release.dynamic or [],
        "project_urls": [f"{label}, {url}" for label, url in project_urls.items()],
        "yanked": release.yanked,
        "yanked_reason": release.yanked_reason,
        "package_url": f"{base}/project/{project.name}/",
        "project_url": f"{base}/project/{project.name}/",
        "release_url": f"{base}/project/{project.name}/{release.version}/",
        "docs_url": "",
        "bugtrack_url": "",
        "downloads": {"last_day": -1, "last_week": -1, "last_month": -1},
    }


def _changes():
    # Every entry, quarantines and deletions included: a mirror must learn that a project went away.
    # A private project's entries are not there (its name would be): it is unknown, as everywhere,
    # and stays so once it is deleted (JournalEntry.is_private outlives the project).
    return JournalEntry.objects.filter(is_private=False)


@method("changelog")
def changelog(since, with_ids=False):
    """Journal entries newer than a Unix timestamp: [name, version, timestamp, action(, id)]."""
    after = datetime.fromtimestamp(int(since), tz=timezone.utc)
    entries = _changes().filter(submitted_date__gt=after).order_by("id")[: _limit("XMLRPC_CHANGELOG_LIMIT", 50000)]
    return [_entry_row(e, with_ids) for e in entries]


@method("changelog_last_serial")
def changelog_last_serial():
    """The newest serial of the whole index."""
    return global_serial()


@method("changelog_since_serial")
def changelog_since_serial(since_serial):
    """Journal entries with an id above since_serial, in order: [name, version, timestamp, action, id]."""
    entries = _changes().filter(id__gt=int(since_serial)).order_by("id")[: _limit("XMLRPC_CHANGELOG_LIMIT", 50000)]
    return [_entry_row(e, True) for e in entries]


@method("browse")
def browse(classifiers):
    """[[name, version], ...] of the releases that carry every one of the classifiers."""
    if not isinstance(classifiers, (list, tuple)) or not all(isinstance(c, str) for c in classifiers):
        raise TypeError("browse takes a list of classifier strings")
    check_query(classifiers=classifiers)  # the search bound, shared with the web UI
    releases = Release.objects.public()
    for classifier in classifiers:
        releases = releases.filter(classifiers__name=classifier)
    releases = releases.select_related("project").distinct().order_by("project__normalized_name", "id")
    return [[r.project.name, r.version] for r in releases[: _limit("XMLRPC_BROWSE_LIMIT", 10000)]]


def _search_terms(spec):
    terms = []
    for key, value in spec.items():
        if key not in SEARCH_FIELDS:
            raise TypeError(f"search cannot look in {key!r}; fields: {', '.join(SEARCH_FIELDS)}")
        terms.extend(value if isinstance(value, (list, tuple)) else [value])
    return [str(t) for t in terms if str(t).strip()]


@method("search")
def search(spec, operator="and"):
    """Projects from the web UI's search: 'and' needs every term to match, 'or' any. Capped."""
    if not isinstance(spec, dict):
        raise TypeError("search takes a struct such as {'name': 'foo', 'summary': 'bar'}")
    if operator not in ("and", "or"):
        raise TypeError("operator must be 'and' or 'or'")
    terms = _search_terms(spec)
    if not terms:
        return []
    check_query(" ".join(terms))  # the bound shared with the web UI, over all terms together
    cap = _limit("XMLRPC_SEARCH_LIMIT", 100)
    queries = [" ".join(terms)] if operator == "and" else terms
    found = {}
    for query in queries:
        for project in search_projects(query)[:cap]:
            found.setdefault(project.pk, project)
    projects = list(found.values())[:cap]
    releases = Release.objects.filter(project__in=projects).select_related("project")
    by_project = {}
    for release in releases:
        by_project.setdefault(release.project_id, []).append(release)
    results = []
    for project in projects:
        latest = latest_release(by_project.get(project.pk, []))
        if latest is not None:
            results.append(
                {"name": project.name, "version": latest.version, "summary": latest.summary, "_pypi_ordering": 0}
            )
    return results


@method("system.listMethods")
def list_methods():
    """Names of the methods this endpoint answers."""
    return sorted(REGISTRY)


@method("system.methodHelp")
def method_help(name):
    """The documentation of a method."""
    func = REGISTRY.get(name)
    return inspect.getdoc(func) or "" if func else ""


TEXT_PARAMS = {"package_name", "user"}


class UnknownMethod(Exception):
    pass


def call(name, params):
    """Run a method; UnknownMethod for unknown names, TypeError for bad arguments."""
    func = REGISTRY.get(name)
    if func is None:
        raise UnknownMethod(name)
    bound = inspect.signature(func).bind(*params)  # wrong arity is the caller's fault, not ours
    for param, value in bound.arguments.items():  # names are text in every method (a fault, not an error)
        if param in TEXT_PARAMS and not isinstance(value, str):
            raise TypeError(f"{param} must be a string, not {type(value).__name__}")
    return func(*params)
