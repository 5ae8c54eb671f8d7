"""A small per-process cache for reference data read on every request (units, calendars).

Several app servers each keep their own copy, so a copy is only used while it belongs to the
current *generation* of its data: a number kept in the shared cache and replaced, after the
commit, by whoever changes that data (`bump_generation`). A change made through one server is
then seen by every server from its next request on. The generation is read once per request
(the middleware below remembers it for the request) and on every call elsewhere (tasks,
commands). Entries also expire after `ttl` seconds, for changes made behind Django's back.
"""

import contextvars
import functools
import threading
import time
from collections.abc import Callable
from typing import Any

from django.db import transaction

_request_generations: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "motcua_generations", default=None
)


def _shared():
    from django.core.cache import caches

    return caches["default"]


# The names of the generations the code reads (declared by process_cache at import, or met
# once): in a request, the first read fetches them all in one round trip to the shared cache.
_NAMES: set[str] = set()


def _key(name: str) -> str:
    return f"generation:{name}"


def shared_generation(name: str) -> int:
    """The current generation of `name`'s data (0 until anything changed it)."""
    seen = _request_generations.get()
    if seen is not None and name in seen:
        return seen[name]
    _NAMES.add(name)
    names = sorted(_NAMES) if seen is not None else [name]
    try:
        found = _shared().get_many([_key(n) for n in names])
        values = {n: found.get(_key(n)) or 0 for n in names}
    except Exception:  # the shared cache is down: rely on the TTL alone
        values = dict.fromkeys(names, -1)
    if seen is not None:
        seen.update(values)
    return values[name]


def bump_generation(name: str, using: str | None = None) -> None:
    """Tell every process that `name`'s data changed, once the change is committed."""

    def bump() -> None:
        _shared().set(_key(name), time.time_ns(), timeout=None)
        seen = _request_generations.get()
        if seen is not None:
            seen.pop(name, None)

    transaction.on_commit(bump, using=using)


class GenerationsPerRequestMiddleware:
    """Read each shared generation at most once per request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request_generations.set({})
        try:
            return self.get_response(request)
        finally:
            _request_generations.reset(token)


def process_cache(ttl: float = 60.0, shared: str | None = None) -> Callable:
    if shared:
        _NAMES.add(shared)

    def decorate(func: Callable) -> Callable:
        store: dict[Any, tuple[float, int, Any]] = {}
        lock = threading.Lock()

        @functools.wraps(func)
        def wrapper(*args):
            now = time.monotonic()
            generation = shared_generation(shared) if shared else 0
            hit = store.get(args)
            if hit is not None and now - hit[0] < ttl and hit[1] == generation:
                return hit[2]
            value = func(*args)
            with lock:
                store[args] = (now, generation, value)
            return value

        def cache_clear() -> None:
            with lock:
                store.clear()

        wrapper.cache_clear = cache_clear
        return wrapper

    return decorate
