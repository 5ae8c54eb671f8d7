"""A small per-process cache for reference data read on every request (units, calendars).

Entries expire after `ttl` seconds so that other processes see admin edits soon, and
`cache_clear()` lets signal receivers in this process drop them at once.
"""

import functools
import threading
import time
from collections.abc import Callable
from typing import Any


def process_cache(ttl: float = 60.0) -> Callable:
    def decorate(func: Callable) -> Callable:
        store: dict[Any, tuple[float, Any]] = {}
        lock = threading.Lock()

        @functools.wraps(func)
        def wrapper(*args):
            now = time.monotonic()
            hit = store.get(args)
            if hit is not None and now - hit[0] < ttl:
                return hit[1]
            value = func(*args)
            with lock:
                store[args] = (now, value)
            return value

        def cache_clear() -> None:
            with lock:
                store.clear()

        wrapper.cache_clear = cache_clear
        return wrapper

    return decorate
