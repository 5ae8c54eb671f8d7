"""The shared cache of several app servers: Django's RedisCache reusing one client, against a
real redis-server (skipped where it is not installed)."""

import os
import shutil
import socket
import subprocess
import time

import pytest

from motcua.core.cache import RedisCache

REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    if not shutil.which("redis-server") and not os.path.exists(REDIS):
        pytest.skip("redis-server is not installed (scripts/system-deps ci)")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    folder = str(tmp_path_factory.mktemp("redis"))
    command = [REDIS, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--dir", folder]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(timeout=10)


def test_two_servers_share_counters_and_pages(redis_url):
    a = RedisCache(redis_url, {"KEY_PREFIX": "motcua:default"})
    b = RedisCache(redis_url, {"KEY_PREFIX": "motcua:default"})  # another app server
    assert a.add("lockout:x", 1, timeout=900)
    assert b.incr("lockout:x") == 2 and a.incr("lockout:x") == 3
    # The counter keeps the window it was made with (Redis' INCR keeps the expiry).
    assert 800 < a._cache.get_client().ttl(a.make_key("lockout:x")) <= 900
    a.set("page", b"<html>", timeout=None)
    assert b.get("page") == b"<html>"
    assert b.get_many(["lockout:x", "page"]) == {"lockout:x": 3, "page": b"<html>"}
    # One redis-py client per pool, reused by every operation.
    client = a._cache
    assert client.get_client() is client.get_client() and client.get_client(write=True)


def test_keys_of_two_caches_are_read_in_one_round_trip(redis_url, settings):
    from django.core.cache import caches

    from motcua.core.cache import get_across

    settings.CACHES = {
        alias: {
            "BACKEND": "motcua.core.cache.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": f"motcua:{alias}",
        }
        for alias in ("default", "pages")
    }
    # (Django builds the caches again from the changed setting.)
    caches["default"].set("ratelimit:a", 3)
    caches["pages"].set("lookup:x", ("1234", b"<html>"))
    client = caches["default"]._cache.get_client()
    before = client.info("commandstats").get("cmdstat_mget", {}).get("calls", 0)
    found = get_across(
        [("default", "ratelimit:a"), ("default", "ratelimit:missing"), ("pages", "lookup:x")]
    )
    assert found == {("default", "ratelimit:a"): 3, ("pages", "lookup:x"): ("1234", b"<html>")}
    after = client.info("commandstats")["cmdstat_mget"]["calls"]
    assert after == before + 1  # one MGET for both caches
