"""`make test` runs pytest's testpaths: an app whose tests are not listed there is silently never tested."""

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_app_with_tests_is_in_testpaths():
    config = configparser.ConfigParser()
    config.read(ROOT / "tox.ini")
    listed = set(config["pytest"]["testpaths"].split())
    with_tests = {
        path.parent.name
        for path in ROOT.glob("*/tests")
        if (path / "__init__.py").exists() or any(path.glob("test_*.py"))
    }
    assert with_tests - listed == set(), "add these apps to testpaths in tox.ini"
