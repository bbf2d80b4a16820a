"""Outbox handlers for the tests: a list of calls, and a switch that makes them fail."""

CALLS = []
FAIL = {"on": False}


def record_call(*args, **kwargs):
    if FAIL["on"]:
        raise ConnectionError("the far end is down")
    CALLS.append((args, kwargs))
