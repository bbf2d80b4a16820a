"""What reading a private project costs pip: its simple page with a read token against a public
page (issue 19), Django alone.

Calls the WSGI application in-process, as gunicorn does, for GET /simple/<name>/ as pip asks for it
(PEP 691 JSON, gzip; a page-cache hit, the installers' short middleware chain), in alternating
rounds, and prints the CPU time per request (thread time: the machine may be shared) of:

- a public page, anonymous (what every install costs);
- the same public page sent with a read token (credentials are checked whenever they are sent);
- a private page with a read token scoped to its organization, and one scoped to the project;
- a private page with a username and password (Argon2: a read token is the way to read);
- a private page, anonymous (the 404).

    .venv/bin/python bench/private_read.py      # SQLite in a scratch folder
"""

import base64
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ["PYPIAPP_VAR_DIR"] = tempfile.mkdtemp(prefix="bench-private-")
os.environ.pop("DATABASE_URL", None)
os.environ.update(DJANGO_SETTINGS_MODULE="pypiapp.settings", LOG_REQUESTS="0", DEBUG="0")

import django

django.setup()

from django.core.management import call_command

ROUNDS, PER_ROUND = 40, 200
PASSWORD_ROUNDS, PASSWORD_PER_ROUND = 5, 10


def environ(path, authorization=None):
    from devtools.testing.wsgi import environ as wsgi_environ

    headers = {"accept": "application/vnd.pypi.simple.v1+json", "accept_encoding": "gzip", "user_agent": "pip/25.0"}
    if authorization:
        headers["authorization"] = "Basic " + base64.b64encode(authorization.encode()).decode()
    return wsgi_environ("GET", path, remote_addr="127.0.0.1", **headers)


def per_request_us(app, path, authorization, expected, count):
    def start_response(status, headers, exc_info=None):
        assert status.startswith(expected), (path, status)

    started = time.thread_time()
    for _ in range(count):
        app(environ(path, authorization), start_response).close()
    return (time.thread_time() - started) / count * 1e6


def main():
    call_command("migrate", verbosity=0)
    from accounts.tests.factories import DEFAULT_PASSWORD
    from devtools.testing.private import private_world
    from pypiapp.handlers import Application

    world = private_world()
    app = Application()
    private = f"/simple/{world.project.normalized_name}/"
    public = f"/simple/{world.public.normalized_name}/"
    cases = {
        "public, anonymous": (public, None, "200"),
        "public, read token": (public, f"__token__:{world.tokens['member']}", "200"),
        "private, organization read token": (private, f"__token__:{world.tokens['member']}", "200"),
        "private, project read token": (private, f"__token__:{world.tokens['maintainer']}", "200"),
        "private, anonymous (404)": (private, None, "404"),
    }
    password_case = (private, f"{world.member.username}:{DEFAULT_PASSWORD}", "200")
    for case in cases.values():
        per_request_us(app, *case, 300)  # warm: page cache, connections
    samples = {name: [] for name in cases}
    for _ in range(ROUNDS):
        for name, case in cases.items():
            samples[name].append(per_request_us(app, *case, PER_ROUND))
    passwords = [per_request_us(app, *password_case, PASSWORD_PER_ROUND) for _ in range(PASSWORD_ROUNDS)]

    print(
        f"GET /simple/<name>/ (PEP 691 JSON, gzip, page-cache hit) in-process, SQLite, {ROUNDS} rounds of {PER_ROUND}:"
    )
    base = statistics.median(samples["public, anonymous"])
    for name, values in samples.items():
        median = statistics.median(values)
        low = statistics.quantiles(values, n=4)[0]
        print(
            f"  {name:<34} median {median:7.1f}  lower quartile {low:7.1f}  min {min(values):7.1f} µs/request"
            f"  ({median / base:4.2f}x)"
        )
    median = statistics.median(passwords)
    print(
        f"  {'private, username and password':<34} median {median:7.1f} µs/request  ({median / base:4.1f}x;"
        f" {PASSWORD_ROUNDS} rounds of {PASSWORD_PER_ROUND}: Argon2 on every request)"
    )


if __name__ == "__main__":
    main()
