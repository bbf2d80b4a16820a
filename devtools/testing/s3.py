"""A real S3-compatible server on loopback for the suite: moto's standalone server (moto[server]).

moto answers S3's REST API over HTTP like an object store does, refuses anonymous reads of a
private bucket and honours bucket policies, but it checks neither a presigned URL's signature
nor its expiry (the unit tests check the URLs the index signs)."""

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from .net import free_port

ACCESS_KEY = "test-access-key"
SECRET_KEY = "test-secret-key"
REGION = "us-east-1"


class S3Server:
    def __init__(self, log_path):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        moto = Path(sys.executable).parent / "moto_server"
        self._log = open(log_path, "wb")
        self.process = subprocess.Popen(
            [str(moto), "-H", "127.0.0.1", "-p", str(self.port)], stdout=self._log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(self.endpoint + "/moto-api/", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"moto_server did not start; see {log_path}") from None
                time.sleep(0.1)

    def client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            region_name=REGION,
        )

    def create_bucket(self, name, *, public=False):
        """A new bucket; `public` adds the policy deploy/README.md gives for S3_PUBLIC_BUCKET=1."""
        client = self.client()
        client.create_bucket(Bucket=name)
        if public:
            client.put_bucket_policy(Bucket=name, Policy=json.dumps(public_read_policy(name)))
        return name

    def env(self, bucket, **extra):
        """The documented S3_* variables for `bucket` on this server."""
        return {
            "S3_BUCKET": bucket,
            "S3_ENDPOINT_URL": self.endpoint,
            "S3_REGION": REGION,
            "S3_ACCESS_KEY_ID": ACCESS_KEY,
            "S3_SECRET_ACCESS_KEY": SECRET_KEY,
            **extra,
        }

    def keys(self, bucket):
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket)
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()


def public_read_policy(bucket):
    """Anonymous GetObject on every key: what S3_PUBLIC_BUCKET=1 needs (and nothing more)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "PublicRead",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }
