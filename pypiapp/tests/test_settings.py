"""Production-safe settings and the set-up commands' building blocks."""

import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _load_settings(tmp_path, **env):
    """Import pypiapp.settings in a subprocess with a given environment; return chosen values."""
    code = (
        "import json, pypiapp.settings as s; print(json.dumps({'hasher': s.PASSWORD_HASHERS[0], "
        "'engine': s.DATABASES['default']['ENGINE'], 'name': str(s.DATABASES['default']['NAME']), "
        "'debug': s.DEBUG, 'key_len': len(s.SECRET_KEY), 'storage': s.STORAGES['packages']['BACKEND'], "
        "'cache': s.CACHES['default']['BACKEND']}))"
    )
    base = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "SECRET_KEY", "DEBUG", "REDIS_URL", "CACHE_URL", "S3_BUCKET"}
    }
    base.update(PYPIAPP_VAR_DIR=str(tmp_path), **env)
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=base, capture_output=True, text=True, check=True)
    import json

    return json.loads(out.stdout)


def test_defaults_need_nothing_installed(tmp_path):
    chosen = _load_settings(tmp_path)
    assert chosen["hasher"] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert chosen["engine"] == "django.db.backends.sqlite3"
    assert chosen["name"] == str(tmp_path / "db.sqlite3")
    assert chosen["debug"] is False
    assert chosen["key_len"] >= 50 and not (tmp_path / "secret_key").exists()  # importing settings wrote no key
    assert chosen["storage"] == "django.core.files.storage.FileSystemStorage"
    assert chosen["cache"].endswith("LocMemCache")


def test_development_mode_keeps_its_secret_key(tmp_path):
    assert _load_settings(tmp_path, DEBUG="1")["key_len"] >= 50
    key_file = tmp_path / "secret_key"
    assert key_file.stat().st_mode & 0o077 == 0
    key = key_file.read_text()
    _load_settings(tmp_path)  # read back, not rewritten
    assert key_file.read_text() == key


def test_importing_settings_in_production_mode_writes_nothing(tmp_path):
    """Settings and every app's start-up (django.setup) in a fresh folder, as gunicorn or a management
    command meets them outside development mode: no var/, no static/, no upload-tmp/, no key."""
    var = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEBUG", "SECRET_KEY", "FILE_UPLOAD", "DOWNLOAD"))}
    env.update(DJANGO_SETTINGS_MODULE="pypiapp.settings", PYPIAPP_VAR_DIR=str(var), PYTHONPATH=str(ROOT))
    env.pop("DATABASE_URL", None)
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.STATIC_ROOT, s.FILE_UPLOAD_TEMP_DIR, s.DOWNLOAD_LOG_PATH, s.DATABASES['default']['NAME'])"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [
        "False",
        str(var / "static"),
        str(var / "upload-tmp"),
        str(var / "downloads.log"),
        str(var / "db.sqlite3"),
    ]
    assert list(tmp_path.iterdir()) == []


def test_development_mode_makes_its_folders(tmp_path):
    var = tmp_path / "var"
    _load_settings(var, DEBUG="1")
    assert sorted(p.name for p in var.iterdir()) == ["secret_key", "static"]


def test_environment_selects_postgres_s3_and_redis(tmp_path):
    chosen = _load_settings(
        tmp_path,
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/pypi",
        S3_BUCKET="dists",
        REDIS_URL="redis://127.0.0.1:6379/1",
        SECRET_KEY="x" * 60,
    )
    assert chosen["engine"] == "django.db.backends.postgresql"
    assert chosen["name"] == "pypi"
    assert chosen["storage"] == "storages.backends.s3.S3Storage"
    assert chosen["cache"].endswith("RedisCache")
    assert chosen["key_len"] == 60


def test_broker_choice(settings):
    from core import broker

    settings.RABBITMQ_URL = settings.REDIS_URL = settings.TASK_BROKER = ""
    assert isinstance(broker.build_broker(), broker.InProcessBroker)
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    assert type(broker.build_broker()).__name__ == "RedisBroker"
    with pytest.raises(ValueError):
        broker.build_broker("carrier-pigeon")
    importlib.reload(broker)  # leaves the already-chosen global broker alone


def test_migrations_apply_on_a_fresh_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(PYPIAPP_VAR_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="pypiapp.settings")
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    check = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, "models changed without a migration:\n" + check.stdout
