"""A tiny static PEP 503/691 index on loopback (http.server in a thread), standing in for an
upstream such as pypi.org in the proxy tests: projects of real wheels from devtools/dists.py."""

import hashlib
import http.server
import io
import json
import threading
import uuid
import zipfile
from html import escape

from devtools.dists import wheel_bytes
from packages.names import normalize_name

JSON_V1 = "application/vnd.pypi.simple.v1+json"


class StaticIndex:
    """add(name, version) publishes a wheel; `json_pages` says which format pages are served in.
    `requests` lists the paths asked for; `tamper(filename)` makes a file's bytes differ from the
    sha256 its page advertises."""

    def __init__(self, json_pages=True):
        self.json_pages = json_pages
        self.projects = {}  # normalized name -> list of (filename, bytes, sha256)
        self.tampered = set()
        self.metadata = {}  # wheel filename -> its METADATA bytes, for the ones served (PEP 658)
        self.requests = []
        self._server = None

    def add(self, name, version, metadata_file=False, **kwargs):
        # Unique bytes each time: package storage may outlive a test, and files are content-addressed.
        kwargs.setdefault("summary", f"Upstream test package {uuid.uuid4().hex}")
        filename, data = wheel_bytes(name, version, **kwargs)
        self.projects.setdefault(normalize_name(name), []).append((filename, data, hashlib.sha256(data).hexdigest()))
        if metadata_file:  # PEP 658: the wheel's METADATA beside it, advertised with its sha256
            with zipfile.ZipFile(io.BytesIO(data)) as wheel:
                self.metadata[filename] = next(
                    wheel.read(n) for n in wheel.namelist() if n.endswith(".dist-info/METADATA")
                )
        return filename

    def _metadata_sha256(self, filename):
        return hashlib.sha256(self.metadata[filename]).hexdigest() if filename in self.metadata else None

    def tamper(self, filename):
        self.tampered.add(filename)

    @property
    def url(self):
        return f"http://127.0.0.1:{self._server.server_address[1]}/simple/"

    def _page(self, name, as_json):
        files = self.projects[name]
        if as_json:
            doc = {
                "meta": {"api-version": "1.1"},
                "name": name,
                "files": [
                    {
                        "filename": f,
                        "url": f"../../files/{f}",
                        "hashes": {"sha256": h},
                        "size": len(d),
                        "requires-python": ">=3.8",
                        "yanked": False,
                        "core-metadata": {"sha256": self._metadata_sha256(f)} if f in self.metadata else False,
                    }
                    for f, d, h in files
                ],
            }
            return JSON_V1, json.dumps(doc).encode()
        links = "".join(
            f'<a href="/files/{escape(f)}#sha256={h}" data-requires-python="&gt;=3.8"'
            + (f' data-core-metadata="sha256={self._metadata_sha256(f)}"' if f in self.metadata else "")
            + f">{escape(f)}</a>\n"
            for f, _, h in files
        )
        return "text/html", f"<!DOCTYPE html><html><body>{links}</body></html>".encode()

    def _answer(self, path):
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "simple" and parts[1] in self.projects:
            return self._page(parts[1], self.json_pages)
        if (
            len(parts) == 2
            and parts[0] == "files"
            and parts[1].endswith(".metadata")
            and parts[1].removesuffix(".metadata") in self.metadata
        ):
            return "text/plain", self.metadata[parts[1].removesuffix(".metadata")]
        if len(parts) == 2 and parts[0] == "files":
            for files in self.projects.values():
                for filename, data, _ in files:
                    if filename == parts[1]:
                        return "application/octet-stream", (data + b"tampered" if filename in self.tampered else data)
        return None

    def start(self):
        index = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                index.requests.append(self.path)
                answer = index._answer(self.path.split("?")[0])
                if answer is None:
                    self.send_error(404)
                    return
                content_type, body = answer
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
