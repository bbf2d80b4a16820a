"""Real PEP 740 attestations for tests, taken from the `pypi-attestations` source distribution
(its `test/assets/`: distributions published from GitHub Actions and gitlab.com with their
attestations). The sdist is downloaded from the package registry at set-up with pip, matching
the installed library's version; nothing of it is kept in this repository."""

import subprocess
import sys
import tarfile
from pathlib import Path

# Assets used by the tests, and the publisher identity that signed each (from its certificate).
GITHUB_SDIST = "pypi_attestations-0.0.19.tar.gz"  # trailofbits/pypi-attestations, release.yml
GITHUB_SIGNER = {"repository": "trailofbits/pypi-attestations", "workflow": "release.yml"}
GITLAB_SDIST = "gitlab_oidc_project-0.0.3.tar.gz"  # gitlab.com facutuesca/gitlab-oidc-project
GITLAB_SIGNER = {"project_path": "facutuesca/gitlab-oidc-project", "ci_config": ".gitlab-ci.yml"}


def fetch_assets(workdir: Path) -> Path:
    """Extract the sdist's test/assets/ into `workdir`; returns that folder. The sdist is
    downloaded once into var/tools/ (git-ignored, as bandersnatch's venv) and reused."""
    import pypi_attestations
    from django.conf import settings

    version = pypi_attestations.__version__
    cache = Path(settings.BASE_DIR) / "var" / "tools" / f"pypi-attestations-{version}-sdist"
    cache.mkdir(parents=True, exist_ok=True)
    if not list(cache.glob("pypi_attestations-*.tar.gz")):
        _download(version, cache)
    return _extract(next(cache.glob("pypi_attestations-*.tar.gz")), workdir)


def _download(version, directory):
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--no-binary",
            ":all:",
            "--disable-pip-version-check",
            "-d",
            str(directory),
            f"pypi-attestations=={version}",
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"could not download the pypi-attestations {version} sdist:\n{result.stderr}")


def _extract(sdist, workdir):
    out = workdir / "assets"
    out.mkdir(exist_ok=True)
    with tarfile.open(sdist) as archive:
        for member in archive.getmembers():
            parts = Path(member.name).parts
            if member.isfile() and len(parts) == 4 and parts[1:3] == ("test", "assets"):
                target = out / parts[3]
                target.write_bytes(archive.extractfile(member).read())
    return out
