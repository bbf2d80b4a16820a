"""A WSGI environ as gunicorn builds it, for calling pypiapp.wsgi.application directly (the
root conftest's `call_app`, bench/request_overhead.py)."""

import io
import sys


def environ(method, path, body=b"", *, remote_addr=None, **headers):
    """A request to http://127.0.0.1/`path`; `headers` by their WSGI name without HTTP_
    (accept_encoding="gzip" is HTTP_ACCEPT_ENCODING)."""
    env = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "CONTENT_LENGTH": str(len(body)),
        "wsgi.errors": sys.stderr,
        **{"HTTP_" + name.upper(): value for name, value in headers.items()},
    }
    if remote_addr is not None:
        env["REMOTE_ADDR"] = remote_addr
    return env
