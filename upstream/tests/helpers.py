"""Helpers of the upstream tests."""

import time

from upstream import stored


def stored_soon(path, seconds=10):
    """Whether the file is stored within `seconds`: a first download stores it once the client
    has its bytes (a file read whole: right after they are sent; a streamed one: at its end)."""
    deadline = time.monotonic() + seconds
    while not stored.is_stored(path):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True
