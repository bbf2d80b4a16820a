"""Work deferred to the end of a block: services.batched_journal() and search.batched()."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any


@contextmanager
def deferred(var: ContextVar[Any], empty: Callable[[], Any], flush: Callable[[Any], object]) -> Iterator[None]:
    """Run the block with a fresh collection (`empty()`) in the context variable `var`, then
    `flush(collection)` once the block ends without an exception. A nested block joins the
    outer one's collection, which the outer block flushes."""
    if var.get() is not None:
        yield
        return
    pending = empty()
    reset = var.set(pending)
    try:
        yield
    finally:
        var.reset(reset)
    flush(pending)
