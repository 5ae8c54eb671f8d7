"""Request limits per client address, kept in the cache that all processes share.

Two kinds: `hit` counts every request (for endpoints that cost something each time), while
`exceeded` + `count` count only failures, for lookups: a citizen may check a dossier they know
as often as they like, but guessing codes is stopped after a few wrong answers. Counters are
fixed windows; with the file cache two simultaneous failures may count once, which only
loosens the limit by a request or two.
"""

import time

from django.core.cache import cache


def client_address(request) -> str:
    # Behind the province's proxy the first X-Forwarded-For hop is the citizen; a deployment
    # without a proxy should strip that header at the edge.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")


def _bucket(scope: str, key: str, window: int) -> str:
    return f"ratelimit:{scope}:{key}:{int(time.time() // window)}"


def hit(scope: str, key: str, limit: int, window: int = 60) -> bool:
    """Count one request; False once `limit` requests were made in the current window."""
    return count(scope, key, window) <= limit


def count(scope: str, key: str, window: int = 60) -> int:
    """Count one event in the current window and return the window's total."""
    bucket = _bucket(scope, key, window)
    if cache.add(bucket, 1, timeout=window + 1):
        return 1
    try:
        return cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, timeout=window + 1)
        return 1


def exceeded(scope: str, key: str, limit: int, window: int = 60) -> bool:
    """Whether `limit` events were already counted in the current window (counts nothing)."""
    return (cache.get(_bucket(scope, key, window)) or 0) >= limit
