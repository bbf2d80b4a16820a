"""Issue 14: property-based fuzzing with hypothesis of the public page URLs, the XML-RPC
methods and the upload form (raw multipart: any bytes in any field, file name and header):
no generated request may be answered with a 5xx (or, for XML-RPC, an internal-error fault).

Example counts are bounded (and derandomized, so the suite is repeatable); each test counts
the requests it really sent. Rerun with FUZZ_EXAMPLES=N for a longer campaign."""

import base64
import os
import xmlrpc.client
from urllib.parse import quote

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api.xmlrpc.methods import REGISTRY
from api.xmlrpc.protocol import INTERNAL_ERROR
from devtools.publish import publish

from .test_upload_as_sent import BOUNDARY, multipart
from .upload_support import auth, digests_of, wheel

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck)
)
COUNTS = {}
STATUSES = {}  # of the upload fuzz: how deep it got (200s passed every check)

# Any text: NUL, controls, surrogate-free unicode, separators, dots, percent signs.
anything = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)
near_valid = st.sampled_from(["demo", "Demo", "DEMO", "de-mo", "demo.", "1.0", "2.0rc1", "0", "..", "-", ""])
segment = st.one_of(anything, near_valid, st.binary(max_size=20).map(lambda b: b.decode("latin-1")))

PAGE_TEMPLATES = [
    "/simple/{}/",
    "/project/{}/",
    "/project/{}/{}/",
    "/pypi/{}/json",
    "/pypi/{}/{}/json",
    "/user/{}/",
    "/rss/project/{}/releases.xml",
    "/packages/{}/{}",
    "/manage/project/{}/",
    "/project/{}/report/",
    "/search/?q={}&c={}",
    "/search/?o={}&page={}",
    "/simple/{}/?format={}",
    "/{}",
    "/legacy/help/?{}={}",
]


@pytest.fixture
def demo(user):
    publish(user, "demo", "1.0", summary="A demo", metadata={"classifiers": ["Topic :: Utilities"]})
    publish(user, "demo", "2.0rc1", kinds=("wheel",))


@pytest.fixture
def token(user, token_for):
    return token_for(user)


def count(name):
    COUNTS[name] = COUNTS.get(name, 0) + 1


@FUZZ
@given(
    template=st.sampled_from(PAGE_TEMPLATES),
    parts=st.lists(segment, min_size=2, max_size=2),
    encode=st.booleans(),
    method=st.sampled_from(["get", "head"]),
)
def test_no_public_page_url_is_a_server_error(client, demo, template, parts, encode, method):
    values = [quote(p, safe="") if encode or "?" in template else quote(p, safe="/%") for p in parts]
    url = template.format(*values[: template.count("{}")])
    response = getattr(client, method)(url)
    count("pages")
    assert response.status_code < 500, (url, response.status_code)


xmlrpc_value = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**31), max_value=2**31 - 1),
        st.floats(allow_nan=False, allow_infinity=False),
        anything,
        near_valid,
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(["name", "summary", "version", "x", ""]) | anything, children, max_size=4),
    ),
    max_leaves=8,
)


@FUZZ
@given(
    method=st.sampled_from(sorted(REGISTRY)) | anything,
    params=st.lists(xmlrpc_value, max_size=3),
    raw=st.none() | st.binary(max_size=200),
)
def test_no_xmlrpc_call_is_a_server_error(client, demo, method, params, raw):
    if raw is None:
        try:
            body = xmlrpc.client.dumps(tuple(params), method or "x", allow_none=True).encode("utf-8", "surrogatepass")
        except (TypeError, OverflowError):
            return
    else:
        body = b"<?xml version='1.0'?><methodCall><methodName>" + raw + b"</methodName></methodCall>"
    response = client.post("/pypi", data=body, content_type="text/xml")
    count("xmlrpc")
    assert response.status_code < 500, (method, params, response.status_code)
    try:
        xmlrpc.client.loads(response.content)
    except xmlrpc.client.Fault as fault:
        assert fault.faultCode != INTERNAL_ERROR, (method, params, fault.faultString)


FIELDS = [
    b"name",
    b"version",
    b"metadata_version",
    b"filetype",
    b"pyversion",
    b"summary",
    b"description",
    b"description_content_type",
    b"author_email",
    b"maintainer_email",
    b"home_page",
    b"requires_dist",
    b"requires_python",
    b"classifiers",
    b"project_urls",
    b"license_expression",
    b"keywords",
    b"sha256_digest",
    b"md5_digest",
    b":action",
    b"protocol_version",
    b"dynamic",
    b"provides_extra",
]
field_value = st.one_of(
    st.binary(max_size=60), anything.map(lambda t: t.encode("utf-8", "surrogatepass")), near_valid.map(str.encode)
)


@FUZZ
@given(
    overrides=st.lists(
        st.tuples(st.sampled_from(FIELDS) | st.binary(min_size=1, max_size=10), field_value), max_size=5
    ),
    filename=st.none() | st.binary(max_size=60),
    content=st.none() | st.binary(max_size=200),
    authorization=st.none() | st.binary(max_size=60),
)
def test_no_upload_form_is_a_server_error(client, demo, token, overrides, filename, content, authorization):
    cache.clear()  # the failed-credentials throttle would answer every later example with a 429
    name, data = wheel("demo", "3.0")
    if content is not None:
        data = content
    fields = {
        b":action": b"file_upload",
        b"protocol_version": b"1",
        b"metadata_version": b"2.1",
        b"name": b"demo",
        b"version": b"3.0",
        b"filetype": b"bdist_wheel",
        b"pyversion": b"py3",
        b"sha256_digest": digests_of(data)["sha256_digest"].encode(),
    }
    fields.update(dict((key.replace(b'"', b""), value) for key, value in overrides))
    body = multipart(
        list(fields.items()), (filename if filename is not None else name.encode()).replace(b'"', b""), data
    )
    header = (
        ("Basic " + base64.b64encode(b"__token__:" + authorization).decode())
        if authorization is not None
        else auth(token)
    )
    response = client.generic(
        "POST",
        "/legacy/",
        body,
        content_type="multipart/form-data; boundary=" + BOUNDARY.decode(),
        HTTP_AUTHORIZATION=header,
    )
    count("upload")
    STATUSES.setdefault(response.status_code, 0)
    STATUSES[response.status_code] += 1
    assert response.status_code < 500, (overrides, filename, response.status_code, response.reason_phrase)


def test_the_fuzzers_sent_their_requests():
    """Runs after the fuzz tests in this module (file order): they really sent requests."""
    if not COUNTS:
        pytest.skip("run with the fuzz tests")
    print(f"\nhypothesis requests sent: {COUNTS}; upload statuses {dict(sorted(STATUSES.items()))}")
    assert all(n >= EXAMPLES // 2 for n in COUNTS.values()), COUNTS
