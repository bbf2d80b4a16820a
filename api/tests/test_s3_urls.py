"""The URLs FILE_DELIVERY=redirect sends installers to, built from the documented S3_* variables,
and what a real S3 server (moto, on loopback) answers for them."""

import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from storages.backends.s3 import S3Storage

from pypiapp.settings import s3_storage

ENV = {
    "S3_BUCKET": "dists",
    "S3_ENDPOINT_URL": "http://127.0.0.1:9",
    "S3_REGION": "us-east-1",
    "S3_ACCESS_KEY_ID": "key-id",
    "S3_SECRET_ACCESS_KEY": "secret",
}
PATH = "ab/cd/ef0123/pkg-1.0-py3-none-any.whl"


def storage_for(env):
    return S3Storage(**s3_storage(env)["OPTIONS"])


def query(url):
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def status(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def test_private_bucket_urls_are_presigned_with_the_configured_expiry():
    before = datetime.now(UTC).replace(microsecond=0)
    url = storage_for({**ENV, "S3_URL_EXPIRY_SECONDS": "120"}).url(PATH)
    params = query(url)
    assert urlsplit(url).path == f"/dists/{PATH}"
    assert params["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert params["X-Amz-Expires"] == "120"
    assert params["X-Amz-Signature"]
    assert params["X-Amz-Credential"].startswith("key-id/")
    signed_at = datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert 0 <= (signed_at - before).total_seconds() < 60  # signed now, so valid until now + 120 s


def test_expiry_defaults_to_five_minutes():
    assert query(storage_for(ENV).url(PATH))["X-Amz-Expires"] == "300"


def test_public_bucket_and_custom_domain_give_plain_urls():
    assert storage_for({**ENV, "S3_PUBLIC_BUCKET": "1"}).url(PATH) == f"http://127.0.0.1:9/dists/{PATH}"
    cdn = storage_for({**ENV, "S3_CUSTOM_DOMAIN": "files.example.test"}).url(PATH)
    assert cdn == f"https://files.example.test/{PATH}"


def test_a_private_bucket_refuses_plain_urls_and_serves_presigned_ones(s3_server):
    bucket = s3_server.create_bucket(f"private-{time.monotonic_ns()}")
    s3_server.client().put_object(Bucket=bucket, Key=PATH, Body=b"wheel bytes")
    env = s3_server.env(bucket)

    assert status(storage_for({**env, "S3_PUBLIC_BUCKET": "1"}).url(PATH))[0] == 403
    assert status(storage_for(env).url(PATH)) == (200, b"wheel bytes")


def test_a_bucket_with_the_public_read_policy_serves_plain_urls(s3_server):
    bucket = s3_server.create_bucket(f"public-{time.monotonic_ns()}", public=True)
    s3_server.client().put_object(Bucket=bucket, Key=PATH, Body=b"wheel bytes")
    url = storage_for(s3_server.env(bucket, S3_PUBLIC_BUCKET="1")).url(PATH)
    assert "?" not in url
    assert status(url) == (200, b"wheel bytes")
