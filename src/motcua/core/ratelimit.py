"""Request limits per client address, kept in the cache that all processes share.

Two kinds: `hit` counts every request (for endpoints that cost something each time), while
`exceeded` + `count` count only failures, for lookups: a citizen may check a dossier they know
as often as they like, but guessing codes is stopped after a few wrong answers. Counters are
fixed windows in the shared cache (Redis with several app servers, whose INCR is atomic; the
file cache of a single machine counts under a lock and keeps each window's expiry).

Guesses of a secret about one subject (the phone digits of a dossier code, the proof of a
feedback) are also counted per subject, whatever the address: rotating addresses then gains
nothing, and a subject under attack stops answering for the rest of the hour.
"""

import hashlib
import ipaddress
import time

from django.conf import settings
from django.core.cache import cache

from .cache import get_across


def client_address(request) -> str:
    """The address of the client as our own proxies saw it.

    `X-Forwarded-For` is written by anyone; only the hops our declared proxies appended can be
    believed. With N trusted proxies (settings.TRUSTED_PROXIES) the client is the Nth address
    from the right; with none, the header is ignored.
    """
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    if not hops:
        return remote
    candidate = hops[-min(proxies, len(hops))]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


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


GUESS_WINDOW = 3600


def _subject_key(subject: str) -> str:
    # Codes are typed by anyone: hash them into a fixed-size, cache-safe key.
    return hashlib.sha256(subject.strip().upper().encode()).hexdigest()[:32]


def guessing_refused(request, kind: str, subject: str) -> bool:
    """Whether a guess about `subject` must be refused now: too many wrong ones from this
    address in the last minute, or about this subject in the last hour from anywhere."""
    return guess_check(request, kind, subject)[0]


def guess_check(request, kind: str, subject: str, also=()) -> tuple[bool, dict]:
    """`guessing_refused`, and the values of the keys `also` names ((cache alias, key)) read
    in the same round trip to the shared cache: this runs on every public lookup."""
    by_address = _bucket("lookup", client_address(request), 60)
    by_subject = _bucket(f"guess-{kind}", _subject_key(subject), GUESS_WINDOW)
    found = get_across([("default", by_address), ("default", by_subject), *also])
    refused = (
        found.get(("default", by_address), 0) >= settings.MOTCUA["LOOKUP_PER_MINUTE"]
        or found.get(("default", by_subject), 0) >= settings.MOTCUA["GUESSES_PER_SUBJECT_PER_HOUR"]
    )
    return refused, {pair: found[pair] for pair in also if pair in found}


def guess_failed(request, kind: str, subject: str) -> None:
    count("lookup", client_address(request))
    count(f"guess-{kind}", _subject_key(subject), window=GUESS_WINDOW)
