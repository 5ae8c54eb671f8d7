"""The one-machine file cache keeps a counter's own expiry when it is incremented (Django's
would reset it to the default five minutes), and counts every increment of many processes."""

import multiprocessing

import pytest
import time_machine

from motcua.core.cache import FileCache


def _cache(path):
    return FileCache(str(path), {"TIMEOUT": 300})


def test_an_incremented_counter_keeps_its_hour(tmp_path):
    cache = _cache(tmp_path)
    with time_machine.travel("2026-12-03 08:00 +07:00", tick=False) as clock:
        cache.add("guesses", 1, timeout=3600)
        assert cache.incr("guesses") == 2
        clock.shift(1800)  # half an hour: Django's incr would have let it expire at 5 minutes
        assert cache.get("guesses") == 2
        assert cache.incr("guesses", 3) == 5
        clock.shift(1801)
        assert cache.get("guesses") is None


def test_incrementing_a_missing_or_expired_key_says_so(tmp_path):
    cache = _cache(tmp_path)
    with pytest.raises(ValueError):
        cache.incr("absent")
    with time_machine.travel("2026-12-03 08:00 +07:00", tick=False) as clock:
        cache.add("short", 1, timeout=10)
        clock.shift(11)
        with pytest.raises(ValueError):
            cache.incr("short")


def _count(path, n):
    cache = _cache(path)
    for _ in range(n):
        cache.incr("shared")


def test_processes_counting_at_once_all_count(tmp_path):
    _cache(tmp_path).add("shared", 0, timeout=3600)
    workers = [multiprocessing.Process(target=_count, args=(tmp_path, 50)) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=60)
    assert _cache(tmp_path).get("shared") == 200
