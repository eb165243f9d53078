"""A view of an object whose every method call holds a lock.

The server's reader lock guards the catalog's one SQLite connection (shared by threads, check_same_thread=False)
and the vector stores. An upload's ingest sees them only through this view: each of its reads and writes holds
the lock for that call alone, while loading, chunking and embedding between them leave readers free. (A
method must return its result whole, not a lazy iterator, for the lock to cover reading it.)"""

from contextlib import AbstractContextManager
from functools import wraps
from typing import Any, TypeVar, cast

T = TypeVar("T")


class Locked:
    def __init__(self, target: object, lock: AbstractContextManager[Any]) -> None:
        self._target, self._lock = target, lock

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._target, name)
        if not callable(attribute):
            return attribute

        @wraps(attribute)
        def holding_the_lock(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return attribute(*args, **kwargs)

        return holding_the_lock


def locked(target: T, lock: AbstractContextManager[Any] | None) -> T:
    """The target itself without a lock; with one, a view of it that holds the lock for each call, typed as the
    target (the view answers every attribute the target has)."""
    return target if lock is None else cast(T, Locked(target, lock))
