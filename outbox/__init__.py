"""The transactional outbox (see services.py): `outbox.enqueue(fn, *args, secret=False, **kwargs)`."""


def enqueue(fn, *args, secret=False, **kwargs):
    from .services import enqueue as _enqueue

    return _enqueue(fn, *args, secret=secret, **kwargs)


def enqueue_merged(fn, key, values, *, secret=False):
    from .services import enqueue_merged as _enqueue_merged

    return _enqueue_merged(fn, key, values, secret=secret)


def schedule(fn, *args, after_seconds, **kwargs):
    from .services import schedule as _schedule

    return _schedule(fn, *args, after_seconds=after_seconds, **kwargs)


def hold(fn, *args, after_seconds, **kwargs):
    from .services import hold as _hold

    return _hold(fn, *args, after_seconds=after_seconds, **kwargs)


def cancel(message):
    from .services import cancel as _cancel

    return _cancel(message)
