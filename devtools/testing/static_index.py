"""A tiny static PEP 503/691 index on loopback (http.server in a thread), standing in for an
upstream such as pypi.org in the proxy tests: projects of real wheels from devtools/dists.py."""

import hashlib
import http.server
import io
import json
import threading
import time
import uuid
import zipfile
from html import escape

from packaging.version import Version

from devtools.dists import wheel_bytes
from packages.names import normalize_name

JSON_V1 = "application/vnd.pypi.simple.v1+json"


class StaticIndex:
    """add(name, version) publishes a wheel; `json_pages` says which format pages are served in.
    `requests` lists the paths asked for (`headers` the request headers, in the same order);
    `tamper(filename)` makes a file's bytes differ from the sha256 its page advertises (longer,
    or with `same_size` the same length with the last byte changed).

    Like pypi.org, pages carry an ETag (answered 304 when If-None-Match names it) and
    X-PyPI-Last-Serial (`serials`, per project: moved by add(), or set by a test), and
    /pypi/<name>/json and /pypi/<name>/<version>/json serve the JSON API (`json_api`).
    `file_delay` seconds pass between a file's headers and its bytes (concurrent first requests
    then overlap), `file_delays[filename]` for that file alone; with `hold` (a threading.Event) a file's first half is sent, then the rest
    once the test sets it; `rate` (bytes per second) paces file bodies like a distant upstream."""

    def __init__(self, json_pages=True, json_api=True):
        self.json_pages = json_pages
        self.json_api = json_api
        self.projects = {}  # normalized name -> list of (filename, bytes, sha256)
        self.tampered = {}  # filename -> "append" or "flip"
        self.metadata = {}  # wheel filename -> its METADATA bytes, for the ones served (PEP 658)
        self.infos = {}  # (normalized name, version) -> the JSON API's info for it
        self.serials = {}  # normalized name -> its X-PyPI-Last-Serial
        self.file_delay = 0.0
        self.file_delays = {}
        self.hold = None
        self.rate = None
        self.requests = []
        self.headers = []
        self._serial = 0
        self._server = None

    def add(self, name, version, metadata_file=False, **kwargs):
        # Unique bytes each time: package storage may outlive a test, and files are content-addressed.
        kwargs.setdefault("summary", f"Upstream test package {uuid.uuid4().hex}")
        filename, data = wheel_bytes(name, version, **kwargs)
        normalized = normalize_name(name)
        self.projects.setdefault(normalized, []).append((filename, data, hashlib.sha256(data).hexdigest()))
        self._serial += 1
        self.serials[normalized] = self._serial
        self.infos[(normalized, version)] = {
            "name": name,
            "version": version,
            "summary": kwargs["summary"],
            "description": kwargs.get("description", ""),
            "description_content_type": "text/markdown",
            "requires_python": kwargs.get("requires_python"),
            "requires_dist": list(kwargs.get("requires_dist", ())) or None,
            "author": "Upstream Author",
            "license": "MIT",
            "home_page": "https://example.org/" + normalized,
            "project_urls": {"Source": "https://example.org/src/" + normalized},
            "yanked": False,
            "yanked_reason": None,
        }
        if metadata_file:  # PEP 658: the wheel's METADATA beside it, advertised with its sha256
            with zipfile.ZipFile(io.BytesIO(data)) as wheel:
                self.metadata[filename] = next(
                    wheel.read(n) for n in wheel.namelist() if n.endswith(".dist-info/METADATA")
                )
        return filename

    def _metadata_sha256(self, filename):
        return hashlib.sha256(self.metadata[filename]).hexdigest() if filename in self.metadata else None

    def tamper(self, filename, same_size=False):
        self.tampered[filename] = "flip" if same_size else "append"

    def hits(self, path):
        return self.requests.count(path)

    def _file_bytes(self, filename, data):
        mode = self.tampered.get(filename)
        if mode == "append":
            return data + b"tampered"
        if mode == "flip":
            return data[:-1] + bytes([data[-1] ^ 0xFF])
        return data

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

    def _json_file(self, filename, data, sha256):
        return {
            "filename": filename,
            "url": f"{self.url.removesuffix('/simple/')}/files/{filename}",
            "digests": {"sha256": sha256},
            "size": len(data),
            "packagetype": "bdist_wheel",
            "requires_python": ">=3.8",
            "upload_time_iso_8601": "2026-01-02T03:04:05.000000Z",
            "yanked": False,
        }

    def _json_document(self, name, version=None):
        versions = sorted({v for (n, v) in self.infos if n == name}, key=Version)
        version = version or versions[-1]
        if (name, version) not in self.infos:
            return None

        def release_files(v):
            return [self._json_file(f, d, h) for f, d, h in self.projects[name] if f"-{v}-" in f]

        document = {
            "info": self.infos[(name, version)],
            "last_serial": self.serials[name],
            "urls": release_files(version),
            "releases": {v: release_files(v) for v in versions},
        }
        return "application/json", json.dumps(document).encode()

    def _answer(self, path):
        parts = path.strip("/").split("/")
        if len(parts) == 2 and parts[0] == "simple" and parts[1] in self.projects:
            return self._page(parts[1], self.json_pages)
        if self.json_api and parts[0] == "pypi" and parts[-1] == "json" and len(parts) in (3, 4):
            if parts[1] in self.projects:
                return self._json_document(parts[1], parts[2] if len(parts) == 4 else None)
            return None
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
                        return "application/octet-stream", self._file_bytes(filename, data)
        return None

    def start(self):
        index = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                index.requests.append(self.path)
                index.headers.append(dict(self.headers))
                path = self.path.split("?")[0]
                answer = index._answer(path)
                if answer is None:
                    self.send_error(404)
                    return
                content_type, body = answer
                parts = path.strip("/").split("/")
                is_page = parts[0] == "simple"
                etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
                if is_page and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                if is_page:
                    self.send_header("ETag", etag)
                    self.send_header("X-PyPI-Last-Serial", str(index.serials[parts[1]]))
                self.end_headers()
                delay = index.file_delays.get(parts[-1], index.file_delay) if parts[0] == "files" else 0
                if delay:
                    self.wfile.flush()
                    time.sleep(delay)
                if parts[0] == "files" and index.hold is not None:
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    index.hold.wait(30)
                    body = body[len(body) // 2 :]
                if parts[0] == "files" and index.rate:
                    for start in range(0, len(body), 64 * 1024):
                        self.wfile.write(body[start : start + 64 * 1024])
                        time.sleep(64 * 1024 / index.rate)
                    return
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
