import pytest


@pytest.fixture
def log_path(settings, tmp_path):
    """Django's download log in this test's folder (DOWNLOAD_LOG_PATH, and the one ingest reads)."""
    path = tmp_path / "downloads.log"
    settings.DOWNLOAD_LOG_PATH = str(path)
    settings.DOWNLOAD_LOG_PATHS = [str(path)]
    return path
