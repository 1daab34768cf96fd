"""Real threads that start together, for the guarantees about things happening at once.

Each thread opens its own connection (a session from the shared sessionmaker, or an
engine of its own), so the database sees concurrent transactions, not one connection
taking turns. A barrier releases them together; an exception in any thread is raised
again in the test, with its traceback.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def at_once(work: Callable[[int], T], count: int, timeout: float = 120.0) -> list[T]:
    """work(0), ..., work(count - 1) in `count` threads started together; their results
    in that order. Raises the first exception a thread raised, or TimeoutError when a
    thread is still running after `timeout` seconds."""
    barrier = threading.Barrier(count)
    results: list[T | None] = [None] * count
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=timeout)
            results[i] = work(i)
        except BaseException as exc:  # noqa: BLE001 - raised again below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    if any(thread.is_alive() for thread in threads):
        raise TimeoutError(f"a thread still runs after {timeout} s")
    if errors:
        raise errors[0]
    return results  # type: ignore[return-value]
