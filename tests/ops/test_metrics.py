"""/metrics as Prometheus scrapes it: the named series with their labels, and who may read it."""

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from motcua.dossiers.models import Channel
from motcua.notify.tasks import deliver
from motcua.ops import metrics
from motcua.payments.models import Payment

pytestmark = pytest.mark.django_db


def scrape(client, **extra) -> dict:
    """{(sample name, frozenset of labels): value} of one scrape."""
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", **extra)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(response.content.decode())
        for s in family.samples
    }


def value(samples, name, **labels) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_requests_are_counted_by_url_name_method_and_status(client, world):
    before = scrape(client)
    client.get("/healthz")
    client.get("/healthz")
    client.get("/tra-cuu/", {"ma": "000.01.01.T99-260101-0001", "phone": "1234"})
    client.get("/ho-so-khong-co/000.01.01.T99-260101-0001")
    after = scrape(client)

    def delta(**labels):
        name = "motcua_http_requests_total"
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta(view="ops:healthz", method="GET", status="200") == 2
    assert delta(view="portal:lookup", method="GET", status="200") == 1
    assert delta(view="unmatched", method="GET", status="404") == 1
    count = "motcua_http_request_duration_seconds_count"
    assert value(after, count, view="ops:healthz") - value(before, count, view="ops:healthz") == 2
    bucket = "motcua_http_request_duration_seconds_bucket"
    assert (bucket, frozenset({"view": "portal:lookup", "le": "+Inf"}.items())) in after
    # Labels are URL names: no path, code or query string ever becomes a series.
    text = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    # Only the labels are checked: a sample's value may hold any digits (0.0123401…).
    labels = " ".join(
        line.split("{", 1)[1].rsplit("}", 1)[0] for line in text.splitlines() if "{" in line
    )
    assert "260101" not in labels and "1234" not in labels and "/tra-cuu" not in labels


def test_task_queue_depth_age_and_failures_come_from_the_task_table(client, world):
    before = scrape(client)
    depth = ("motcua_tasks_queue_depth", {"backend": "default", "queue": "default"})
    assert value(before, depth[0], **depth[1]) == 0  # the series exists with nothing waiting
    waiting = deliver.enqueue(1)
    failing = deliver.enqueue(2)
    DBTaskResult.objects.filter(pk=waiting.id).update(
        enqueued_at=timezone.now() - timedelta(minutes=5)
    )
    DBTaskResult.objects.filter(pk=failing.id).update(status="FAILED")
    after = scrape(client)
    assert value(after, depth[0], **depth[1]) == 1
    age = value(after, "motcua_tasks_oldest_ready_age_seconds", **depth[1])
    assert 299 < age < 400
    assert value(after, "motcua_tasks_failed", **depth[1]) == 1
    assert value(after, "motcua_metrics_source_ok", source="tasks") == 1


def test_dossiers_received_per_channel_come_from_the_indicators(client, world):
    world.receive()
    world.receive()
    world.receive(channel=Channel.POST)
    samples = scrape(client)
    name = "motcua_dossiers_received_total"
    assert value(samples, name, channel="counter") == 2
    assert value(samples, name, channel="post") == 1
    assert value(samples, name, channel="online") == 0


def test_integration_backlog_counts_stale_online_payments_and_takes_new_sources(client, world):
    dossier = world.receive()
    now = timezone.now()
    for created, method, status in [
        (now - timedelta(hours=1), Payment.Method.ONLINE, Payment.Status.PENDING),  # stale
        (now - timedelta(minutes=1), Payment.Method.ONLINE, Payment.Status.PENDING),  # fresh
        (now - timedelta(hours=1), Payment.Method.ONLINE, Payment.Status.PAID),
        (now - timedelta(hours=1), Payment.Method.CASH, Payment.Status.PENDING),
    ]:
        Payment.objects.create(
            dossier=dossier, amount=20000, method=method, status=status, created_at=created
        )
    metrics.register_backlog("notification_outbox", lambda: 7)
    try:
        samples = scrape(client)
    finally:
        del metrics.BACKLOGS["notification_outbox"]
    backlog = "motcua_integration_backlog"
    assert value(samples, backlog, integration="payment_gateway") == 1
    assert value(samples, backlog, integration="notification_outbox") == 7


def test_a_broken_source_is_flagged_and_the_others_still_answer(client, world):
    def broken():
        raise RuntimeError("outbox table missing")

    metrics.register_backlog("broken", broken)
    try:
        samples = scrape(client)
    finally:
        del metrics.BACKLOGS["broken"]
    assert value(samples, "motcua_metrics_source_ok", source="backlogs") == 0
    assert value(samples, "motcua_metrics_source_ok", source="dossiers") == 1
    assert (
        "motcua_tasks_queue_depth",
        frozenset({"backend": "default", "queue": "default"}.items()),
    ) in samples


def test_metrics_are_refused_to_other_addresses_and_to_a_wrong_token(client, settings):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.5").status_code == 403
    # A forged forwarding header does not make a stranger local.
    forged = client.get("/metrics", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="127.0.0.1")
    assert forged.status_code == 403
    settings.MOTCUA_METRICS_TOKEN = "k" * 40
    wrong = client.get("/metrics", REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION="Bearer nope")
    assert wrong.status_code == 403 and b"motcua_" not in wrong.content
    right = client.get(
        "/metrics", REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION="Bearer " + "k" * 40
    )
    assert right.status_code == 200 and b"motcua_http_requests_total" in right.content
    settings.MOTCUA_METRICS_TOKEN = ""
    assert client.get("/metrics", REMOTE_ADDR="10.4.0.9").status_code == 403
    settings.MOTCUA_METRICS_ALLOWED = ["10.4.0.0/16"]
    assert client.get("/metrics", REMOTE_ADDR="10.4.0.9").status_code == 200


PROCESS = """
import django, os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.settings"
django.setup()
from django.test import Client
from django.test.utils import setup_test_environment
setup_test_environment()
if sys.argv[1] == "serve":
    for _ in range(int(sys.argv[2])):
        assert Client().get("/healthz").status_code == 200
else:
    from prometheus_client import generate_latest
    from motcua.ops.metrics import registry
    sys.stdout.write(generate_latest(registry()).decode())
"""


def test_gunicorn_workers_are_summed_in_multiprocess_mode(tmp_path):
    """Two worker processes serve requests; a third answers the scrape with their sum."""
    folder = tmp_path / "prometheus"
    folder.mkdir()
    env = {
        **os.environ,
        "PROMETHEUS_MULTIPROC_DIR": str(folder),
        "MOTCUA_VAR_DIR": str(tmp_path / "var"),
    }

    def run(*args):
        done = subprocess.run(
            [sys.executable, "-c", PROCESS, *args], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("serve", "2")
    run("serve", "3")
    samples = {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(run("scrape"))
        for s in family.samples
    }
    assert (
        value(samples, "motcua_http_requests_total", view="ops:healthz", method="GET", status="200")
        == 5
    )
