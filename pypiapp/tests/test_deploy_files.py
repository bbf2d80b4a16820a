"""deploy/pypi.env is the operator's list of every setting: it must name each environment
variable pypiapp/settings.py reads, in a form systemd's EnvironmentFile= accepts."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
READERS = r"(?:env_bool|env_list|os\.environ\.get|os\.environ\[|env\.get|env\[)\(?\s*\"([A-Z][A-Z0-9_]+)\""
TEST_ONLY = {"TEST_DATABASE_NAME", "UPLOAD_TEST_PAUSE_FILE"}
UNIT_ONLY = {"WEB_BIND", "WEB_WORKERS", "WORKER_PROCESSES", "WORKER_THREADS"}  # read by deploy/systemd/


def settings_variables():
    names = set(re.findall(READERS, (ROOT / "pypiapp" / "settings.py").read_text()))
    return names - TEST_ONLY


def env_file_lines():
    return (ROOT / "deploy" / "pypi.env").read_text().splitlines()


def test_the_environment_template_lists_every_setting():
    listed = {m.group(1) for line in env_file_lines() if (m := re.match(r"^#?\s*([A-Z][A-Z0-9_]+)=", line))}
    assert len(settings_variables()) > 40  # the pattern still finds what settings.py reads
    missing = sorted(settings_variables() - listed)
    assert not missing, f"add these to deploy/pypi.env (with their default): {missing}"
    stale = sorted(listed - settings_variables() - UNIT_ONLY)
    assert not stale, f"deploy/pypi.env lists settings nothing reads: {stale}"


def test_the_environment_template_is_a_valid_systemd_environment_file():
    for line in env_file_lines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            assert re.fullmatch(r"[A-Z][A-Z0-9_]*", key), line
            # systemd keeps everything after '=' (an inline comment would become part of the value)
            assert "#" not in value and " " not in value and not value.startswith(('"', "'")), line
