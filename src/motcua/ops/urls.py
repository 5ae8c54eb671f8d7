"""Addresses for the machines that watch motcua: liveness, readiness and Prometheus metrics.

They sit outside the language prefixes and need no sign-in; /metrics is limited to the
monitoring addresses or token (metrics.scrape_allowed).
"""

from django.urls import path

from . import health, metrics

app_name = "ops"
urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
]
