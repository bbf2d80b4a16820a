"""The HTTP session to upstreams (upstream/fetch.py): keep-alive connections reused, a response
left half-read never reused, redirects followed to an absolute URL, failures told apart. Real
sockets: an HTTP/1.1 server on loopback that counts its connections."""

import http.server
import socket
import threading
import time
from types import SimpleNamespace

import pytest

from upstream import fetch

UPSTREAM = SimpleNamespace(name="session-test", username="", password="")


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive

    def do_GET(self):
        self.server.connections.add(self.client_address)
        if self.path == "/moved":
            self._send(302, b"", Location="/simple/final/")
        elif self.path == "/slow":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b"ab")
            self.wfile.flush()
            time.sleep(1)
        elif self.path == "/missing":
            self._send(404, b"no such page\n")
        else:
            self._send(200, b"x" * (300_000 if self.path == "/big" else 10))

    def _send(self, status, body, **headers):
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client that leaves mid-answer (the half-read test) is expected here


@pytest.fixture
def server():
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.connections = set()
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd, f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    httpd.server_close()


def _read(url, amount=1_000_000):
    with fetch.open_url(UPSTREAM, url, 5, fetch.PAGE) as response:
        return response.read(amount)


def test_answers_read_to_their_end_leave_the_connection_to_the_next_request(server):
    httpd, base = server
    for _ in range(5):
        assert _read(base + "/page") == b"x" * 10
    with pytest.raises(fetch.NotFound):
        fetch.open_url(UPSTREAM, base + "/missing", 5, fetch.PAGE)
    assert _read(base + "/page") == b"x" * 10
    assert len(httpd.connections) == 1


def test_an_answer_left_half_read_is_not_reused(server):
    httpd, base = server
    assert _read(base + "/big", 1000) == b"x" * 1000
    assert _read(base + "/page") == b"x" * 10  # not the rest of the big one
    assert len(httpd.connections) == 2


def test_a_redirect_is_followed_and_the_answer_knows_its_absolute_url(server):
    _, base = server
    with fetch.open_url(UPSTREAM, base + "/moved", 5, fetch.PAGE) as response:
        assert response.geturl() == base + "/simple/final/"
        assert response.read(100) == b"x" * 10


def test_a_refused_connection_is_no_timeout_and_a_silent_server_is_one(server):
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    with pytest.raises(fetch.UpstreamError) as refused:
        fetch.open_url(UPSTREAM, f"http://127.0.0.1:{port}/", 5, fetch.PAGE)
    assert not refused.value.timeout and "unreachable" in str(refused.value)
    with socket.socket() as silent:  # accepts (the backlog), never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        with pytest.raises(fetch.UpstreamError) as silence:
            fetch.open_url(UPSTREAM, f"http://127.0.0.1:{silent.getsockname()[1]}/", 0.3, fetch.PAGE)
    assert silence.value.timeout and "timed out" in str(silence.value)


def test_a_body_that_stops_coming_is_a_timeout_of_the_read(server):
    _, base = server
    response = fetch.open_url(UPSTREAM, base + "/slow", 0.3, fetch.FILE)
    with pytest.raises(fetch.READ_ERRORS) as stalled:
        response.read(100)
    assert fetch.is_timeout(stalled.value)
    response.close()


def test_non_http_urls_are_refused(server):
    with pytest.raises(fetch.UpstreamError, match="non-http"):
        fetch.open_url(UPSTREAM, "file:///etc/passwd", 5, fetch.PAGE)
