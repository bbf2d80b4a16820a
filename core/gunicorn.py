"""gunicorn settings for metrics across worker processes: `gunicorn -c python:core.gunicorn ...`.

With PROMETHEUS_MULTIPROC_DIR set in gunicorn's environment, every worker writes its metric
values to files there and /metrics adds them up. The directory is emptied when gunicorn
starts (values of an earlier run must not be added to this one's), and a worker's live
gauges are dropped when it exits. Other gunicorn options stay on the command line.
"""

import os
from pathlib import Path
from typing import Any


def on_starting(server: Any) -> None:
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if directory:
        path = Path(directory)
        path.mkdir(parents=True, exist_ok=True)
        for stale in path.glob("*.db"):
            stale.unlink()


def child_exit(server: Any, worker: Any) -> None:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
