"""Liveness and readiness for the load balancer and the orchestrator.

/healthz answers while the process runs and touches nothing. /readyz checks every dependency a
request may need: each database, each cache, the default storage and each task backend, each
check in a thread with a deadline, so that a hung server fails the check instead of hanging it.
Answers name the checks and the exception class only: no addresses, credentials or data.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from functools import partial

from django import db
from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connections
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 3.0
# One round of checks per process per second at most, however often /readyz is asked.
REUSE_SECONDS = 1.0
# Bounded: checks stuck on a hung server hold at most this many threads.
_pool = ThreadPoolExecutor(max_workers=8, thread_name_prefix="readyz")
_last: tuple[float, bool, dict] | None = None
_lock = threading.Lock()


class CheckFailed(Exception):
    pass


def _database(alias: str) -> str:
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            if cursor.fetchone() != (1,):
                raise CheckFailed("unexpected answer")
    finally:
        connection.close()  # a fresh connection each round: none kept half-broken
    return "ok"


def _cache(alias: str) -> str:
    cache, key = caches[alias], f"motcua:readyz:{uuid.uuid4().hex}"
    cache.set(key, "ready", 30)
    try:
        if cache.get(key) != "ready":
            raise CheckFailed("value not read back")
    finally:
        cache.delete(key)
    return "ok"


def _storage() -> str:
    name = default_storage.save(f"ops-readyz/{uuid.uuid4().hex}.txt", ContentFile(b"ready"))
    try:
        with default_storage.open(name) as handle:
            if handle.read() != b"ready":
                raise CheckFailed("object not read back")
    finally:
        default_storage.delete(name)
    return "ok"


def _tasks(alias: str) -> str:
    from django_tasks import task_backends
    from django_tasks.backends.dummy import DummyBackend
    from django_tasks.backends.immediate import ImmediateBackend
    from django_tasks_db.backend import DatabaseBackend

    backend = task_backends[alias]
    if isinstance(backend, DatabaseBackend):
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.ready().filter(backend_name=alias).exists()
        return "ok"
    if type(backend).__module__.startswith("django_tasks_rq"):
        import django_rq

        for queue in sorted(backend.queues):
            django_rq.get_queue(queue).connection.ping()
        return "ok"
    if isinstance(backend, ImmediateBackend | DummyBackend):
        return "in-process"
    # A backend this module does not know: said so, and not counted as a failure.
    return "unchecked"


def checks() -> dict[str, Callable[[], str]]:
    found: dict[str, Callable[[], str]] = {}
    for alias in settings.DATABASES:
        found[f"database:{alias}"] = partial(_database, alias)
    for alias in settings.CACHES:
        found[f"cache:{alias}"] = partial(_cache, alias)
    found["storage:default"] = _storage
    for alias in settings.TASKS:
        found[f"tasks:{alias}"] = partial(_tasks, alias)
    return found


def _run(check: Callable[[], str]) -> tuple[str, float]:
    started = time.monotonic()
    try:
        return check(), round((time.monotonic() - started) * 1000, 1)
    finally:
        # The connections the ORM opened in this pool thread (the task table's check).
        db.connections.close_all()


def readiness() -> tuple[bool, dict]:
    """(all passed, {check: {"status", and "ms" or "error"}})."""
    started = time.monotonic()
    futures = {name: _pool.submit(_run, check) for name, check in checks().items()}
    results, ready = {}, True
    for name, future in futures.items():
        try:
            left = max(0.0, started + TIMEOUT_SECONDS - time.monotonic())
            detail, ms = future.result(timeout=left)
            results[name] = {"status": detail, "ms": ms}
        except FutureTimeout:
            future.cancel()
            results[name], ready = {"status": "timeout", "ms": TIMEOUT_SECONDS * 1000}, False
            logger.warning("readiness check %s timed out", name)
        except Exception as error:
            results[name] = {"status": "failed", "error": type(error).__name__}
            ready = False
            logger.warning("readiness check %s failed: %s", name, type(error).__name__)
    return ready, results


def _cached_readiness() -> tuple[bool, dict]:
    global _last
    with _lock:
        if _last is not None and time.monotonic() - _last[0] < REUSE_SECONDS:
            return _last[1], _last[2]
        ready, results = readiness()
        _last = (time.monotonic(), ready, results)
        return ready, results


@never_cache
@csrf_exempt
@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@csrf_exempt
@require_safe
def readyz(request):
    ready, results = _cached_readiness()
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", "checks": results},
        status=200 if ready else 503,
    )
