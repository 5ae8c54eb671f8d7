"""Prometheus metrics at /metrics: requests by URL name, method and status and their latency,
counted in each process; and figures read from the database when scraped (the task queue,
integration backlogs, dossiers received per channel), so that restarts lose nothing.

Under gunicorn set PROMETHEUS_MULTIPROC_DIR (see docs/operations.md): every worker process
then writes its counters to that folder and any one of them answers the scrape for all.
Without it the counters live in this process alone (development, tests).
"""

import hmac
import ipaddress
import logging
import os
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

from django.conf import settings
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    ProcessCollector,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from motcua.core.ratelimit import client_address

from .logs import view_label

logger = logging.getLogger(__name__)

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Online payments still pending after this long mean the gateway's IPN is not reaching us.
STALE_PAYMENT_MINUTES = 15

REQUESTS = Counter(
    "motcua_http_requests",
    "HTTP requests answered, by URL name, method and status.",
    ["view", "method", "status"],
    registry=None,
)
DURATION = Histogram(
    "motcua_http_request_duration_seconds",
    "Time to answer an HTTP request, by URL name.",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=None,
)


class MetricsMiddleware:
    """Count each request and time it, labelled by URL name (never the path)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        view = view_label(request)
        method = request.method if request.method in _METHODS else "other"
        REQUESTS.labels(view, method, str(response.status_code)).inc()
        DURATION.labels(view).observe(time.perf_counter() - started)
        return response


# --- Backlogs of the integrations: each integration adds the count of its waiting work ---
BACKLOGS: dict[str, Callable[[], int]] = {}


def register_backlog(integration: str, count: Callable[[], int]) -> None:
    """Expose `count()` as motcua_integration_backlog{integration=…}; called at scrape time,
    so it must be one cheap query."""
    BACKLOGS[integration] = count


def _stale_online_payments() -> int:
    from motcua.payments.models import Payment

    cutoff = timezone.now() - timedelta(minutes=STALE_PAYMENT_MINUTES)
    return Payment.objects.filter(
        method=Payment.Method.ONLINE, status=Payment.Status.PENDING, created_at__lt=cutoff
    ).count()


register_backlog("payment_gateway", _stale_online_payments)


class DatabaseFigures:
    """A collector reading the figures that outlive processes from where they are kept."""

    def collect(self) -> Iterator[Metric]:
        source_ok = GaugeMetricFamily(
            "motcua_metrics_source_ok",
            "1 when the figures of this source could be read at this scrape, 0 otherwise.",
            labels=["source"],
        )
        for source, read in (
            ("tasks", _task_figures),
            ("backlogs", _backlog_figures),
            ("dossiers", _dossier_figures),
        ):
            try:
                families = list(read())
            except Exception as error:  # one broken source must not hide the others
                logger.warning("metrics source %s unreadable: %r", source, error)
                source_ok.add_metric([source], 0)
                continue
            source_ok.add_metric([source], 1)
            yield from families
        yield source_ok


def _task_figures() -> Iterator[Metric]:
    from django.db.models import Count, Min
    from django_tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    depth = GaugeMetricFamily(
        "motcua_tasks_queue_depth", "Tasks ready to run and waiting.", labels=["backend", "queue"]
    )
    oldest = GaugeMetricFamily(
        "motcua_tasks_oldest_ready_age_seconds",
        "Age of the oldest task waiting to run (0 when none waits).",
        labels=["backend", "queue"],
    )
    failed = GaugeMetricFamily(
        "motcua_tasks_failed",
        "Failed task results kept by the backend (pruning removes them).",
        labels=["backend", "queue"],
    )
    now = timezone.now()
    for alias in settings.TASKS:
        backend = task_backends[alias]
        if not isinstance(backend, DatabaseBackend):
            continue
        results = DBTaskResult.objects.filter(backend_name=alias)
        ready = {
            row["queue_name"]: row
            for row in results.ready()
            .order_by()
            .values("queue_name")
            .annotate(n=Count("id"), first=Min("enqueued_at"))
        }
        failures = dict(
            results.failed().order_by().values_list("queue_name").annotate(n=Count("id"))
        )
        for queue in sorted(set(backend.queues) | set(ready) | set(failures)):
            row = ready.get(queue, {"n": 0, "first": None})
            depth.add_metric([alias, queue], row["n"])
            age = (now - row["first"]).total_seconds() if row["first"] else 0
            oldest.add_metric([alias, queue], max(age, 0))
            failed.add_metric([alias, queue], failures.get(queue, 0))
    yield from (depth, oldest, failed)


def _backlog_figures() -> Iterator[Metric]:
    family = GaugeMetricFamily(
        "motcua_integration_backlog",
        "Work waiting on an outside system (e.g. online payments with no gateway answer yet).",
        labels=["integration"],
    )
    for integration, count in sorted(BACKLOGS.items()):
        family.add_metric([integration], count())
    yield family


def _dossier_figures() -> Iterator[Metric]:
    from django.db.models import Sum

    from motcua.monitoring.models import Tally

    # The agencies' monthly totals (procedure 0): one row per agency and month of history.
    totals = Tally.objects.filter(grain=Tally.Grain.MONTH, procedure_id=0).aggregate(
        all=Sum("received"), online=Sum("received_online"), post=Sum("received_post")
    )
    every, online, post = (totals[k] or 0 for k in ("all", "online", "post"))
    family = CounterMetricFamily(
        "motcua_dossiers_received",
        "Dossiers received since the start, by channel (from the indicators' counters).",
        labels=["channel"],
    )
    family.add_metric(["counter"], every - online - post)
    family.add_metric(["online"], online)
    family.add_metric(["post"], post)
    yield family


_local_registry: CollectorRegistry | None = None


def registry() -> CollectorRegistry:
    """A fresh registry over every process's files in multiprocess mode (the library's way),
    else this process's own."""
    global _local_registry
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        scrape = CollectorRegistry()
        multiprocess.MultiProcessCollector(scrape)
        scrape.register(DatabaseFigures())
        return scrape
    if _local_registry is None:
        local = CollectorRegistry()
        for collector in (REQUESTS, DURATION, ProcessCollector(registry=None), DatabaseFigures()):
            local.register(collector)
        _local_registry = local
    return _local_registry


def scrape_allowed(request) -> bool:
    """A bearer token from MOTCUA_METRICS_TOKEN, or a client address in MOTCUA_METRICS_ALLOWED."""
    token = settings.MOTCUA_METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return True
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    for allowed in settings.MOTCUA_METRICS_ALLOWED:
        try:
            if address in ipaddress.ip_network(allowed, strict=False):
                return True
        except ValueError:
            logger.warning("MOTCUA_METRICS_ALLOWED holds a bad address: %r", allowed)
    return False


@never_cache
@require_safe
def metrics_view(request):
    if not scrape_allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
