"""A fixed-window request limit per client address, kept in Django's cache."""

import time

from django.core.cache import cache


def client_address(request) -> str:
    # Behind the province's proxy the first X-Forwarded-For hop is the citizen; a deployment
    # without a proxy should strip that header at the edge.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR", "")


def hit(scope: str, key: str, limit: int, window: int = 60) -> bool:
    """Count one request; False once `limit` requests were made in the current window."""
    bucket = f"ratelimit:{scope}:{key}:{int(time.time() // window)}"
    if cache.add(bucket, 1, timeout=window + 1):
        return True
    try:
        count = cache.incr(bucket)
    except ValueError:
        cache.set(bucket, 1, timeout=window + 1)
        count = 1
    return count <= limit
