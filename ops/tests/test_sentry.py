"""With SENTRY_DSN set, an exception in a view reaches the Sentry server the DSN names
(here an HTTP server this test runs on loopback, receiving sentry-sdk's envelopes)."""

import base64
import gzip
import http.server
import threading
import time

import brotli
import pytest

from devtools.testing.net import free_port
from devtools.testing.servers import AppServer, get

pytestmark = pytest.mark.e2e


class _Envelopes(http.server.BaseHTTPRequestHandler):
    received: list = []  # the fixture resets it

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "br":
            body = brotli.decompress(body)
        self.received.append((self.path, body.decode("utf-8", "replace")))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def sentry_server():
    _Envelopes.received = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Envelopes)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], _Envelopes.received
    server.shutdown()
    server.server_close()


SECRET = base64.b64encode(b"__token__:pypi-0123456789abcdef_not-for-sentry").decode()


def test_an_exception_in_a_view_reaches_sentry(sentry_server, tmp_path, db):
    port, received = sentry_server
    # A real failure: the database the node is configured with does not answer.
    env = {
        "SENTRY_DSN": f"http://public-key@127.0.0.1:{port}/42",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{free_port()}/gone",
        "DB_CONNECT_TIMEOUT": "2",
    }
    with AppServer(tmp_path, env=env, workers=1) as server:
        # Well-formed credentials, so the read path looks the token up (a malformed header is a 401
        # before any query, accounts/readers.py).
        status, _, _ = get(server.url + "/simple/?token=not-for-sentry", headers={"Authorization": f"Basic {SECRET}"})
        assert status == 503  # core/errors.py: a database that cannot be reached is a 503
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not any("OperationalError" in body for _, body in received):
            time.sleep(0.2)
    events = [(path, body) for path, body in received if "OperationalError" in body]
    assert events, received
    path, body = events[0]
    assert path == "/api/42/envelope/"
    assert '"simple_index"' in body or "/simple/" in body  # the failing request is named
    assert SECRET not in body  # the Authorization header is scrubbed
