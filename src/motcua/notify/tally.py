"""Counting lookups (web, API, SMS, Zalo, hotline) for the monitoring pages, without a write
per lookup.

The public lookup is answered from the page cache with no query at all; a write per request
would make it the database's busiest statement. Counts gather in a buffer of this process and
go to the database (one UPDATE per day, channel, agency and outcome) once the oldest is
settings.MOTCUA["LOOKUP_TALLY_FLUSH_SECONDS"] old: at the next count, from a timer when the
process goes idle, and at exit. A process killed with SIGKILL loses at most that many seconds
of counts: statistics, not records. 0 writes every count at once (the tests).
"""

import atexit
import logging
import os
import threading
import time

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from .models import LookupChannel, LookupCount

log = logging.getLogger("motcua.notify")

Key = tuple  # (day, channel, agency_id (0: unknown), found)

_lock = threading.Lock()
_buffer: dict[Key, int] = {}
_oldest: float | None = None  # time.monotonic() of the oldest count not yet written
_timer: threading.Timer | None = None


def _interval() -> float:
    return float(settings.MOTCUA.get("LOOKUP_TALLY_FLUSH_SECONDS", 10))


def count_lookup(channel: str, agency_id: int | None, found: bool) -> None:
    """Count one lookup on `channel` (a LookupChannel), for the found dossier's receiving
    agency when known. Never raises: a lookup must not fail because it could not be counted."""
    global _oldest
    try:
        key = (timezone.localdate(), LookupChannel(channel).value, int(agency_id or 0), bool(found))
        interval = _interval()
        with _lock:
            _buffer[key] = _buffer.get(key, 0) + 1
            now = time.monotonic()
            if _oldest is None:
                _oldest = now
            due = interval <= 0 or now - _oldest >= interval
            # Inside the caller's transaction the row locks would last until it commits, and
            # its rollback would take the counts along: the timer writes them instead.
            if due and interval > 0 and connection.in_atomic_block:
                due = False
            if not due:
                _schedule(max(interval - (now - _oldest), 0.05))
        if due:
            flush()
    except Exception:
        log.exception("notify: a lookup could not be counted")


def _schedule(delay: float) -> None:
    """Start the idle flush unless one is pending (called under the lock)."""
    global _timer
    if _timer is not None and _timer.is_alive():
        return
    _timer = threading.Timer(delay, _flush_idle)
    _timer.daemon = True
    _timer.name = "motcua-lookup-tally"
    _timer.start()


def _flush_idle() -> None:
    global _timer
    with _lock:
        _timer = None
    try:
        flush()
    finally:
        # The timer's thread opened its own connection; nobody else will close it.
        connection.close()


def flush() -> int:
    """Write the buffered counts; how many lookups were written. Counts that could not be
    written (database unreachable) go back into the buffer for the next flush."""
    global _oldest
    with _lock:
        pending = dict(_buffer)
        _buffer.clear()
        _oldest = None
    if not pending:
        return 0
    try:
        with transaction.atomic():
            for key in sorted(pending):  # the same order in every process: no deadlock
                _add(key, pending[key])
    except Exception:
        log.exception("notify: %s lookup counts not written, kept for later", len(pending))
        with _lock:
            for key, n in pending.items():
                _buffer[key] = _buffer.get(key, 0) + n
            if _oldest is None:
                _oldest = time.monotonic()
            if _interval() > 0:
                _schedule(_interval())
        return 0
    return sum(pending.values())


def _add(key: Key, n: int) -> None:
    day, channel, agency_id, found = key
    row = LookupCount.objects.filter(day=day, channel=channel, agency_id=agency_id, found=found)
    if row.update(count=F("count") + n):
        return
    try:
        with transaction.atomic():
            LookupCount.objects.create(
                day=day, channel=channel, agency_id=agency_id, found=found, count=n
            )
    except IntegrityError:
        # Another process inserted the row since our UPDATE found none: add to it.
        row.update(count=F("count") + n)


def _forget_after_fork() -> None:
    """A worker forked from a process that counted must not write the parent's counts again."""
    global _lock, _oldest, _timer
    _lock = threading.Lock()
    _buffer.clear()
    _oldest, _timer = None, None


atexit.register(flush)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)
