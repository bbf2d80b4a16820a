"""In-process upload loop: the time of POST /legacy/ through Django's whole stack, no network.

For comparing two versions of the upload pipeline on the same machine (run it from each tree, in
turns): a fresh SQLite file (or `--postgres`: a fresh `pypiapp_upload_loop` database), one
uploader and token, then `--uploads` wheels posted with Django's test client, half of them new
releases of one project and half new projects (so both the existing-project and the
new-project checks run). Prints the median and best per-upload time of `--rounds` rounds.
With `--lookups` it times the upload checks' queries instead, one at a time (best of 5 runs of
500 calls each): on a loaded machine the whole upload's time swings more than they cost.

    .venv/bin/python bench/upload_loop.py [--uploads 200] [--rounds 5] [--postgres] [--lookups]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
POSTGRES = "postgres://postgres@127.0.0.1:5432/"


def _environment(args, scratch):
    if args.postgres:
        import psycopg2

        conn = psycopg2.connect(POSTGRES + "postgres")
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("DROP DATABASE IF EXISTS pypiapp_upload_loop WITH (FORCE)")
            cur.execute("CREATE DATABASE pypiapp_upload_loop")
        conn.close()
        database = POSTGRES + "pypiapp_upload_loop"
    else:
        database = f"sqlite:///{scratch}/db.sqlite3"
    os.environ.update(
        DJANGO_SETTINGS_MODULE="pypiapp.settings",
        DATABASE_URL=database,
        SECRET_KEY="upload-loop-bench",
        PACKAGE_FILES_ROOT=f"{scratch}/packages",
        ALLOWED_HOSTS="testserver",
        PROJECT_CREATE_RATE="1000000/h",
        DEBUG="0",
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--lookups", action="store_true", help="time the upload checks' queries alone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        _environment(args, scratch)
        import django

        django.setup()
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.test import Client

        from accounts.tokens import issue_token
        from devtools.dists import wheel_bytes
        from devtools.testing.uploads import legacy_form, token_auth

        call_command("migrate", verbosity=0)
        call_command("create_user", "bench", "--email", "bench@example.com", "--password", "bench-password-123")
        token = issue_token(get_user_model().objects.get(username="bench"), "bench").raw
        auth = token_auth(token)
        client = Client()

        def upload(name, version):
            filename, data = wheel_bytes(name, version)
            form = legacy_form(filename, data, name=name, version=version)
            started = time.perf_counter()
            response = client.post("/legacy/", form, HTTP_AUTHORIZATION=auth)
            elapsed = time.perf_counter() - started
            assert response.status_code == 200, (response.status_code, response.reason_phrase)
            return elapsed

        upload("warm-up", "1.0")
        if args.lookups:
            return time_lookups(
                get_user_model().objects.get(username="bench"), "postgres" if args.postgres else "sqlite"
            )
        per_upload = []
        for round_number in range(args.rounds):
            times = []
            for i in range(args.uploads):
                if i % 2:
                    times.append(upload(f"loop-new-{round_number}-{i}", "1.0"))
                else:
                    times.append(upload("loop-existing", f"{round_number}.{i}"))
            per_upload.append(sum(times) / len(times) * 1000)
        print(
            f"{'PostgreSQL' if args.postgres else 'SQLite'}: {args.uploads} uploads x {args.rounds} rounds, "
            f"ms per upload: median {statistics.median(per_upload):.2f}, best {min(per_upload):.2f} "
            f"(rounds: {', '.join(f'{t:.2f}' for t in per_upload)})"
        )


def time_lookups(user, database):
    import timeit

    from django.db import transaction

    from api.upload import policy, project_names
    from packages.digests import digests_of

    class Uploader:
        pass

    uploader = Uploader()
    uploader.user = user
    digests = digests_of(b"not stored")
    with transaction.atomic():
        project, _ = policy.lock_project("warm-up", uploader)
        calls = {
            "lock_project": lambda: policy.lock_project("warm-up", uploader),
            "files_with_name_or_bytes": lambda: policy.files_with_name_or_bytes(
                "warm_up-1.0-py3-none-any.whl", digests
            ),
            "find_release": lambda: policy.find_release(project, "1.0"),
            "projects_created_since": lambda: policy._projects_created_since(user, project.created),
            "prohibited_and_lookalike": lambda: project_names._prohibited_and_lookalike("warm-up", "warmup"),
        }
        for label, call in calls.items():
            best = min(timeit.repeat(call, number=500, repeat=5)) / 500
            print(f"{database} {label}: {best * 1e6:.0f} µs a call")


if __name__ == "__main__":
    main()
