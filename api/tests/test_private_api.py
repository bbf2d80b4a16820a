"""Private projects on the machine-facing surfaces (issue 19): the simple API, files, the JSON API,
XML-RPC and /simple/ answer as if the project did not exist (404, never 403) to anyone who may
not see it, and never name it; members, role holders and their read tokens read it."""

import xmlrpc.client

import pytest

from accounts.models import ApiToken
from accounts.tests.factories import DEFAULT_PASSWORD
from accounts.tokens import revoke_token
from devtools.testing.private import private_world

JSON_V1 = "application/vnd.pypi.simple.v1+json"


@pytest.fixture
def world(db):
    return private_world()


def _auth(basic_auth, world, who):
    """The Authorization header of each kind of reader (None: anonymous)."""
    if who == "anonymous":
        return None
    if who == "member_password":
        return basic_auth(world.member.username, DEFAULT_PASSWORD)
    return basic_auth("__token__", world.tokens[who])


def _get(client, url, auth=None, **headers):
    if auth:
        headers["HTTP_AUTHORIZATION"] = auth
    return client.get(url, **headers)


def _text(response):
    """The body, whether the view sent it whole or as a file (/simple/ is sent with sendfile)."""
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def _urls(world):
    wheel = world.wheel
    name = world.project.normalized_name
    return [
        (f"/simple/{name}/", {"HTTP_ACCEPT": "text/html"}),
        (f"/simple/{name}/", {"HTTP_ACCEPT": JSON_V1}),
        (wheel.url_path, {}),
        (wheel.url_path + ".metadata", {}),
        (f"/pypi/{name}/json", {}),
        (f"/pypi/{name}/1.0/json", {}),
    ]


NOT_ALLOWED = ["anonymous", "stranger", "outsider", "owner_upload"]
ALLOWED = ["member", "maintainer", "owner", "member_password"]


@pytest.mark.parametrize("who", NOT_ALLOWED)
def test_who_may_not_see_it_gets_404_and_no_name(client, world, basic_auth, who):
    for url, headers in _urls(world):
        response = _get(client, url, _auth(basic_auth, world, who), **headers)
        assert response.status_code == 404, (url, who, response.status_code)
        body = response.content.decode()
        assert "Top secret" not in body and "secret_pkg" not in body, (url, who)


@pytest.mark.parametrize("who", ALLOWED)
def test_members_role_holders_and_their_tokens_read_it_privately(client, world, basic_auth, who):
    for url, headers in _urls(world):
        response = _get(client, url, _auth(basic_auth, world, who), **headers)
        assert response.status_code == 200, (url, who, response.status_code)
        assert response["Cache-Control"].startswith("private"), url
        assert "Surrogate-Control" not in response and "Surrogate-Key" not in response
        assert "Access-Control-Allow-Origin" not in response


def test_a_private_page_keeps_serial_etags_and_304s(client, world, basic_auth):
    auth = _auth(basic_auth, world, "member")
    url = f"/simple/{world.project.normalized_name}/"
    first = _get(client, url, auth)
    again = _get(client, url, auth, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again["Cache-Control"].startswith("private")
    assert again["X-Accel-Expires"] == "0"
    # The ETag of a page someone else may read opens nothing for those who may not.
    assert _get(client, url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 404


def test_the_page_cache_never_serves_a_private_page_to_someone_not_allowed(client, world, basic_auth):
    """The body is in Django's page cache after an authorized request; the next anonymous one for
    the same serial and encoding is still refused before the cache is read."""
    url = f"/simple/{world.project.normalized_name}/"
    for encoding in ("identity", "gzip"):
        allowed = _get(client, url, _auth(basic_auth, world, "member"), HTTP_ACCEPT_ENCODING=encoding)
        assert allowed.status_code == 200
        assert _get(client, url, HTTP_ACCEPT_ENCODING=encoding).status_code == 404
        assert _get(client, url, _auth(basic_auth, world, "outsider"), HTTP_ACCEPT_ENCODING=encoding).status_code == 404


def test_the_simple_index_never_lists_it(client, world, basic_auth):
    for who in ("anonymous", "member"):
        for accept in ("text/html", JSON_V1):
            body = _text(_get(client, "/simple/", _auth(basic_auth, world, who), HTTP_ACCEPT=accept))
            assert world.public.normalized_name in body
            assert all(name not in body for name in world.names), (who, accept)


def test_making_it_public_again_lists_it_and_serves_it_to_everyone(client, world):
    from packages import services

    _get(client, "/simple/")  # the index's rows are cached, and replayed from the journal after
    services.set_private(world.project, False, world.owner)
    assert world.project.normalized_name in _text(_get(client, "/simple/"))
    response = _get(client, f"/simple/{world.project.normalized_name}/")
    assert response.status_code == 200 and response["Cache-Control"].startswith("public")
    services.set_private(world.project, True, world.owner)
    assert world.project.normalized_name not in _text(_get(client, "/simple/"))
    assert _get(client, f"/simple/{world.project.normalized_name}/").status_code == 404


def test_public_projects_cost_no_credential_check_and_stay_public(client, world, django_assert_num_queries):
    url = f"/simple/{world.public.normalized_name}/"
    _get(client, url)
    with django_assert_num_queries(1):  # the project lookup: as before private projects
        response = _get(client, url)
    assert response.status_code == 200 and response["Cache-Control"].startswith("public")


@pytest.mark.parametrize(
    "credentials",
    [
        ("__token__", "pypi-nosuchtoken_secret"),
        ("__token__", "not-a-token"),
        ("member", "wrong password"),
    ],
)
def test_wrong_credentials_are_401_on_every_page_private_public_or_missing(client, world, basic_auth, credentials):
    auth = basic_auth(*credentials)
    for url in (
        f"/simple/{world.project.normalized_name}/",
        f"/simple/{world.public.normalized_name}/",
        "/simple/no-such-project/",
        "/simple/",
        world.wheel.url_path,
        f"/pypi/{world.public.normalized_name}/json",
    ):
        response = _get(client, url, auth)
        assert response.status_code == 401, url
        assert response["WWW-Authenticate"].startswith("Basic realm=")
        assert response["Cache-Control"] == "no-store"


def test_a_revoked_or_expired_read_token_is_refused(client, world, basic_auth):
    auth = _auth(basic_auth, world, "member")
    token = ApiToken.objects.get(user=world.member, kind=ApiToken.Kind.READ)
    revoke_token(token)
    response = _get(client, f"/simple/{world.public.normalized_name}/", auth)
    assert response.status_code == 401 and b"revoked" in response.content


def test_a_read_token_stops_working_when_its_user_leaves_the_organization(client, world, basic_auth):
    from organizations.models import OrganizationRole

    url = f"/simple/{world.project.normalized_name}/"
    auth = _auth(basic_auth, world, "member")
    assert _get(client, url, auth).status_code == 200
    OrganizationRole.objects.filter(user=world.member).delete()
    assert _get(client, url, auth).status_code == 404


def test_a_project_scoped_read_token_reads_that_project_only(client, world, basic_auth):
    from packages.models import Project, Role

    another = Project.objects.create(name="secret-two", organization=world.org, is_private=True)
    Role.objects.create(user=world.maintainer, project=another, role_name=Role.OWNER)
    auth = _auth(basic_auth, world, "maintainer")
    assert _get(client, f"/simple/{world.project.normalized_name}/", auth).status_code == 200
    assert _get(client, "/simple/secret-two/", auth).status_code == 404


def test_a_password_of_a_two_factor_account_is_refused_for_reading(client, world, basic_auth):
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=world.member, type=Authenticator.Type.TOTP, data={"secret": "x"})
    response = _get(client, f"/simple/{world.project.normalized_name}/", _auth(basic_auth, world, "member_password"))
    assert response.status_code == 401 and b"read token" in response.content


def test_failed_credentials_are_throttled(client, world, basic_auth, settings):
    settings.UPLOAD_AUTH_FAILURES_PER_CREDENTIAL = "2/m"
    auth = basic_auth(world.member.username, "wrong password")
    statuses = [_get(client, "/simple/", auth).status_code for _ in range(3)]
    assert statuses == [401, 401, 429]


def _rpc(client, method, *params):
    response = client.post("/pypi", data=xmlrpc.client.dumps(params, method), content_type="text/xml")
    assert response.status_code == 200
    return response.content.decode()


def test_xmlrpc_never_names_it(client, world):
    name = world.project.name
    calls = [
        ("list_packages",),
        ("list_packages_with_serial",),
        ("package_releases", name, True),
        ("package_roles", name),
        ("user_packages", world.owner.username),
        ("user_packages", world.maintainer.username),
        ("release_urls", name, "1.0"),
        ("release_data", name, "1.0"),
        ("changelog", 0, True),
        ("changelog_since_serial", 0),
        ("browse", []),
        ("search", {"name": "secret"}),
        ("search", {"summary": "Top secret"}),
    ]
    for method, *params in calls:
        body = _rpc(client, method, *params)
        assert all(n not in body for n in world.names), method
        assert "Top secret" not in body, method
    assert world.public.name in _rpc(client, "list_packages")
    assert world.public.name in _rpc(client, "user_packages", world.owner.username)


def test_the_changelog_never_names_it_even_after_it_is_deleted(client, world):
    from packages import services

    name = world.project.name
    services.delete_project(world.project, world.owner, "gone")
    for method, *params in (("changelog", 0, True), ("changelog_since_serial", 0)):
        body = _rpc(client, method, *params)
        assert name not in body, method
        assert world.public.name in body, method  # the public project's history is still there


def test_made_public_again_its_whole_history_reaches_the_changelog(client, world):
    from packages import services

    services.set_private(world.project, False, world.owner)
    rows = xmlrpc.client.loads(_rpc(client, "changelog_since_serial", 0).encode())[0][0]
    actions = [row[3] for row in rows if row[0] == world.project.name]
    assert actions[0] == "create" and actions[-1] == "set public", actions


def test_making_it_private_or_public_purges_its_pages_and_files_from_the_front_caches(
    world, settings, purge_server, django_capture_on_commit_callbacks
):
    from packages import services

    url, seen = purge_server
    settings.EDGE_PURGE_URLS = [url]
    wheel = world.wheel
    for private in (False, True):
        seen.clear()
        with django_capture_on_commit_callbacks(execute=True):
            services.set_private(world.project, private, world.owner)
        paths = {path for path, _ in seen}
        name = world.project.normalized_name
        assert {f"/simple/{name}/", "/simple/", wheel.url_path, wheel.url_path + ".metadata"} <= paths


@pytest.mark.parametrize("public_mode", [{"S3_PUBLIC_BUCKET": "1"}, {"S3_CUSTOM_DOMAIN": "files.example.test"}])
def test_private_files_leave_s3_through_presigned_urls_only(client, world, basic_auth, settings, public_mode):
    from urllib.parse import parse_qs, urlsplit

    from pypiapp.settings import s3_storage

    env = {
        "S3_BUCKET": "dists",
        "S3_ENDPOINT_URL": "http://127.0.0.1:9",
        "S3_REGION": "us-east-1",
        "S3_ACCESS_KEY_ID": "key-id",
        "S3_SECRET_ACCESS_KEY": "secret",
        **public_mode,
    }
    settings.STORAGES = {**settings.STORAGES, "packages": s3_storage(env)}
    settings.FILE_DELIVERY = "redirect"
    private = _get(client, world.wheel.url_path, _auth(basic_auth, world, "member"))
    assert private.status_code == 302 and private["Cache-Control"] == "no-store"
    location = urlsplit(private["Location"])
    assert location.netloc == "127.0.0.1:9"  # the bucket's endpoint, never the CDN's domain
    assert "X-Amz-Signature" in parse_qs(location.query)
    public_wheel = world.public.releases.get().files.get(packagetype="bdist_wheel")
    public = _get(client, public_wheel.url_path)
    assert public.status_code == 302 and "X-Amz-Signature" not in public["Location"]


def test_uploads_by_those_who_may_not_see_it_never_name_it(client, world):
    """A stranger's upload to the name, or to a look-alike of it, says the name is taken, never the
    private project's own spelling; its members still get the usual answers."""
    from accounts.tokens import issue_token
    from devtools.testing.uploads import upload_wheel
    from packages.models import Project

    stranger = issue_token(world.stranger, "upload").raw
    lookalike = upload_wheel(client, stranger, "secretpkg", "5.0")  # ultranormalized like secret-pkg
    text = lookalike.reason_phrase + lookalike.content.decode()
    assert lookalike.status_code == 400 and "too similar to an existing project (" in text
    assert "secret-pkg" not in text and "Top secret" not in text, text
    taken = upload_wheel(client, stranger, "SECRET.PKG", "5.0")
    # The name as sent (normalized), nothing of the project: not its spelling, not its being a project one may ask for.
    assert taken.status_code == 403 and taken.reason_phrase.startswith("The name 'secret-pkg' isn't available")
    assert "Top secret" not in taken.content.decode()
    assert not Project.objects.filter(normalized_name="secretpkg").exists()
    member = upload_wheel(client, issue_token(world.member, "upload").raw, "secret-pkg", "5.0")
    assert "isn't allowed to upload to project 'secret-pkg'" in member.reason_phrase


def test_provenance_of_a_private_file_is_for_its_readers_only(client, world, basic_auth):
    from packages.models import FileProvenance

    wheel = world.wheel
    FileProvenance.objects.create(file=wheel, document='{"version": 1}')
    url = f"/integrity/{world.project.normalized_name}/1.0/{wheel.filename}/provenance"
    for who in NOT_ALLOWED:
        assert _get(client, url, _auth(basic_auth, world, who)).status_code == 404, who
    response = _get(client, url, _auth(basic_auth, world, "member"))
    assert response.status_code == 200 and response["Cache-Control"].startswith("private")
