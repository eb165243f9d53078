"""Where a question's time goes: per-stage timings for the benchmark's breakdown (`make bench`).

Off unless a caller collects them: a context variable holds the collector, so the query path carries no extra
argument and pays one variable read per stage when nobody is timing."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from time import perf_counter

_collector: ContextVar[dict[str, float] | None] = ContextVar("stage_timings", default=None)


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Adds the seconds spent inside to `name` when timings are being collected."""
    timings = _collector.get()
    if timings is None:
        yield
        return
    started = perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + perf_counter() - started


@contextmanager
def collecting() -> Iterator[dict[str, float]]:
    """The seconds per stage of everything run inside."""
    timings: dict[str, float] = {}
    token = _collector.set(timings)
    try:
        yield timings
    finally:
        _collector.reset(token)
