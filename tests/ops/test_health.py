"""/healthz and /readyz as the load balancer sees them, with dependencies that really stop."""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.db.utils import ConnectionHandler
from django_tasks.backends.base import BaseTaskBackend

from motcua.ops import health

REDIS_SERVER = shutil.which("redis-server")


@pytest.fixture(autouse=True)
def _fresh_answers(monkeypatch):
    monkeypatch.setattr(health, "REUSE_SECONDS", 0)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _readyz(client):
    response = client.get("/readyz")
    return response.status_code, response.json()


def test_healthz_answers_without_touching_any_dependency(client):
    # No database access is allowed in this test: healthz must need none.
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_passes_every_check_and_names_them(client):
    status, body = _readyz(client)
    assert status == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {
        "database:default",
        "cache:default",
        "cache:pages",
        "storage:default",
        "tasks:default",
    }
    assert {c["status"] for c in body["checks"].values()} == {"ok"}
    # Not redirected to a language, not sent to a sign-in page, on any prefix.
    assert client.get("/en/readyz").status_code == 404


@pytest.mark.django_db
def test_readyz_fails_while_the_database_is_unreachable_and_recovers(client, monkeypatch):
    broken = ConnectionHandler(
        {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": "/nonexistent/x/db.sqlite3"}}
    )
    working = health.connections
    monkeypatch.setattr(health, "connections", broken)
    status, body = _readyz(client)
    assert status == 503 and body["status"] == "unavailable"
    assert body["checks"]["database:default"] == {
        "status": "failed",
        "error": "OperationalError",
    }
    assert body["checks"]["cache:default"]["status"] == "ok"
    assert "nonexistent" not in str(body)
    monkeypatch.setattr(health, "connections", working)
    assert _readyz(client)[0] == 200


@pytest.mark.django_db
@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not installed")
def test_readyz_follows_a_redis_cache_that_stops_and_returns(client, settings, tmp_path):
    port = _free_port()
    settings.CACHES = {
        **settings.CACHES,
        "shared": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
        },
    }

    def start():
        server = subprocess.Popen(
            [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
            cwd=tmp_path,
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                return server
            except OSError:
                time.sleep(0.05)
        server.kill()
        pytest.fail("redis-server did not start")

    status, body = _readyz(client)  # nothing listens yet
    assert status == 503
    assert body["checks"]["cache:shared"] == {"status": "failed", "error": "ConnectionError"}
    assert str(port) not in str(body)

    server = start()
    try:
        status, body = _readyz(client)
        assert status == 200, body
        assert body["checks"]["cache:shared"]["status"] == "ok"
    finally:
        server.terminate()
        server.wait(10)
    assert _readyz(client)[0] == 503  # stopped again

    server = start()
    try:
        assert _readyz(client)[0] == 200  # the same process reconnects by itself
    finally:
        server.terminate()
        server.wait(10)


@pytest.mark.django_db
def test_a_hung_dependency_fails_the_check_within_the_deadline(client, settings, monkeypatch):
    # A server that accepts connections and never answers, as a frozen Redis would.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted = []
    threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True).start()
    port = listener.getsockname()[1]
    settings.CACHES = {
        **settings.CACHES,
        "shared": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
        },
    }
    monkeypatch.setattr(health, "TIMEOUT_SECONDS", 0.5)
    try:
        started = time.monotonic()
        status, body = _readyz(client)
        assert time.monotonic() - started < 3
        assert status == 503
        assert body["checks"]["cache:shared"]["status"] == "timeout"
        assert body["checks"]["database:default"]["status"] == "ok"
    finally:
        for conn, _address in accepted:
            conn.close()  # the stuck check sees the end of the stream and frees its thread
        listener.close()


class UnknownBackend(BaseTaskBackend):
    def enqueue(self, task, args, kwargs):
        raise NotImplementedError


@pytest.mark.django_db
def test_task_backends_it_cannot_check_are_reported_not_failed(client, settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend"},
        "odd": {"BACKEND": "tests.ops.test_health.UnknownBackend"},
        "inline": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
    }
    status, body = _readyz(client)
    assert status == 200, body
    assert body["checks"]["tasks:odd"]["status"] == "unchecked"
    assert body["checks"]["tasks:inline"]["status"] == "in-process"
    assert body["checks"]["tasks:default"]["status"] == "ok"


def _postgres_bin() -> str | None:
    found = shutil.which("initdb")
    if found:
        return os.path.dirname(found)
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]))
    return versions[-1] if versions else None


PG_BIN = _postgres_bin()


def _user_exists(name: str) -> bool:
    return subprocess.run(["id", name], capture_output=True).returncode == 0


@pytest.fixture
def postgres_server():
    """A PostgreSQL server of the test's own (the test database stays untouched): yields its
    port and pg_ctl, to stop and start it."""
    if PG_BIN is None:
        pytest.skip("PostgreSQL binaries are not installed")
    # Not under pytest's tmp_path: its parents are closed to the postgres user.
    folder = Path(tempfile.mkdtemp(prefix="motcua-readyz-pg."))
    folder.chmod(0o755)
    run_as = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        user = "postgres" if _user_exists("postgres") else "nobody"
        shutil.chown(folder, user)
        run_as = ["runuser", "-u", user, "--"]
    data, port = folder / "data", _free_port()
    options = f"-h 127.0.0.1 -p {port} -k {folder} -c fsync=off"

    def pg_ctl(action: str) -> None:
        extra = ["-l", str(folder / "server.log"), "-o", options] if action == "start" else []
        extra += ["-m", "fast"] if action == "stop" else []
        subprocess.run(
            [*run_as, f"{PG_BIN}/pg_ctl", "-D", str(data), "-w", action, *extra],
            check=True,
            stdout=subprocess.DEVNULL,
        )

    try:
        subprocess.run(
            [*run_as, f"{PG_BIN}/initdb", "-D", str(data), "-U", "motcua", "--auth=trust"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        pg_ctl("start")
        yield port, pg_ctl
    finally:
        subprocess.run(
            [*run_as, f"{PG_BIN}/pg_ctl", "-D", str(data), "-m", "immediate", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.django_db
def test_readyz_follows_a_postgresql_server_that_stops_and_returns(
    client, monkeypatch, postgres_server
):
    port, pg_ctl = postgres_server
    database = {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": "postgres",
        "USER": "motcua",
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "OPTIONS": {"connect_timeout": 2},
    }
    monkeypatch.setattr(health, "connections", ConnectionHandler({"default": database}))
    assert _readyz(client)[0] == 200
    pg_ctl("stop")
    status, body = _readyz(client)
    assert status == 503
    assert body["checks"]["database:default"] == {"status": "failed", "error": "OperationalError"}
    pg_ctl("start")
    assert _readyz(client)[0] == 200
