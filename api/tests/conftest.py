"""Fixtures shared by the API tests."""

import http.server
import threading

import pytest

from devtools.testing.nginx import running_front


class _PurgeRecorder(http.server.BaseHTTPRequestHandler):
    seen = []

    def do_PURGE(self):  # the HTTP method's name
        self.seen.append((self.path, self.headers["Accept"]))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def purge_server():
    """A stand-in front cache: (its URL, the list of (path, Accept) PURGEs it received)."""
    _PurgeRecorder.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _PurgeRecorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", _PurgeRecorder.seen
    server.shutdown()
    server.server_close()


@pytest.fixture
def front(live_server, settings, tmp_path):
    """nginx with the production config (deploy/nginx.conf), proxying to the live server; Django purges it."""
    with running_front(live_server.url, tmp_path) as url:
        settings.FILE_DELIVERY = "x-accel-redirect"
        settings.EDGE_CACHE_SECONDS = 3600
        settings.EDGE_PURGE_URLS = [f"{url}/_purge"]
        yield url
