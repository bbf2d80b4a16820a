"""The outbox delivers mail after the broker comes back: gunicorn and a dramatiq worker on a
redis-server this test starts, stops during a sign-up, and starts again."""

import re
import subprocess
import sys
import time

import pytest
import requests
from django.conf import settings

from devtools.testing.servers import AppServer, RedisServer
from outbox.models import Message

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def signup(base, username):
    session = requests.Session()
    page = session.get(f"{base}/account/signup/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    return session.post(
        f"{base}/account/signup/",
        timeout=30,
        allow_redirects=False,
        headers={"Referer": base + "/"},
        data={
            "csrfmiddlewaretoken": token,
            "username": username,
            "name": username,
            "email": f"{username}@example.com",
            "password1": "tulip-orbit-quarry-42",
            "password2": "tulip-orbit-quarry-42",
        },
    )


def mails(directory):
    return sorted(p.read_text() for p in directory.glob("*.log")) if directory.exists() else []


def test_mail_queued_while_the_broker_is_down_goes_out_when_it_is_back(tmp_path):
    mail_dir = tmp_path / "mail"
    with RedisServer() as redis_server:
        env = {
            "REDIS_URL": redis_server.url,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(mail_dir),
        }
        with AppServer(tmp_path, env=env, workers=1) as app:
            redis_server.stop()
            response = signup(app.url, "dora")
            assert response.status_code == 302, response.text[:2000] + app.log_text()[-2000:]
            assert response.headers["Location"] == "/account/confirm-email/"
            message = Message.objects.get()  # stored with the sign-up, not lost with the broker
            assert message.secret and mails(mail_dir) == []
            assert "broker unavailable" in app.log_text()

            redis_server.start()
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "dramatiq",
                    "pypiapp.worker",
                    "--processes",
                    "1",
                    "--threads",
                    "1",
                    "--queues",
                    "outbox",
                ],
                cwd=settings.BASE_DIR,
                env=app.environment(),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                started = time.monotonic()
                relay = subprocess.run(
                    [sys.executable, "manage.py", "run_periodic", "outbox"],
                    cwd=settings.BASE_DIR,
                    env=app.environment(),
                    capture_output=True,
                    text=True,
                    timeout=120,
                    check=False,
                )
                assert relay.returncode == 0, relay.stderr
                assert "1 dispatched" in relay.stdout
                while not mails(mail_dir) and time.monotonic() - started < 60:
                    time.sleep(0.1)
                delay = time.monotonic() - started
                assert len(mails(mail_dir)) == 1
                print(f"outbox: mail delivered {delay:.2f} s after the relay ran (broker back)")
                assert "To: dora@example.com" in mails(mail_dir)[0] and "/account/confirm-email/" in mails(mail_dir)[0]
                deadline = time.monotonic() + 30
                while Message.objects.exists() and time.monotonic() < deadline:
                    time.sleep(0.1)
                assert not Message.objects.exists()  # sent: the row with the link is gone

                # Broker up: the message goes to the worker right after the sign-up commits.
                started = time.monotonic()
                assert signup(app.url, "eve").status_code == 302
                while len(mails(mail_dir)) < 2 and time.monotonic() - started < 30:
                    time.sleep(0.02)
                assert len(mails(mail_dir)) == 2
                print(f"outbox: with the broker up, mail written {time.monotonic() - started:.2f} s after the sign-up")
            finally:
                worker.terminate()
                worker.wait(timeout=30)
