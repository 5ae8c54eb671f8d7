"""Logs as the collector receives them: JSON lines with a request id that follows the request
into its tasks, and nothing personal."""

import io
import json
import logging
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import path
from django_tasks_db.models import DBTaskResult

from motcua import urls as project_urls
from motcua.ops.logs import JsonFormatter
from tests.world import bring_to

INCOMING_ID = "0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a"


@pytest.fixture
def log_lines():
    """What the configured console handler writes (its filter included), as JSON lines."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    root = logging.getLogger()
    buffer, formatter, level = io.StringIO(), handler.formatter, root.level
    stream = handler.setStream(buffer)
    handler.setFormatter(JsonFormatter())
    root.setLevel(logging.DEBUG)
    try:
        yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    finally:
        handler.setStream(stream)
        handler.setFormatter(formatter)
        root.setLevel(level)


def test_each_request_gets_an_id_echoed_in_the_answer_and_its_access_line(client, log_lines):
    generated = client.get("/healthz")["X-Request-ID"]
    assert len(generated) == 32 and int(generated, 16) >= 0
    assert client.get("/healthz", HTTP_X_REQUEST_ID=INCOMING_ID)["X-Request-ID"] == INCOMING_ID
    # Anything but a proxy's hex id is replaced: a caller cannot write text into our logs.
    for header in ("0912345678", "Nguyễn Văn Bình", "a" * 65, "abc\n{}"):
        assert client.get("/healthz", HTTP_X_REQUEST_ID=header)["X-Request-ID"] != header
    access = [line for line in log_lines() if line["logger"] == "motcua.request"]
    assert [line["request_id"] for line in access[:2]] == [generated, INCOMING_ID]
    line = access[1]
    assert {"time", "level", "message", "method", "view", "status", "duration_ms"} <= set(line)
    assert (line["method"], line["view"], line["status"], line["level"]) == (
        "GET",
        "ops:healthz",
        200,
        "INFO",
    )
    assert line["time"].endswith("+00:00")


def _receive(request):
    """A request that receives a dossier through the real service, as the counter does."""
    _WORLD[0].receive(
        applicant={"name": "Lê Thị Mai", "phone": "0901234567", "email": "mai@example.vn"}
    )
    return HttpResponse(status=201)


_WORLD = []
# The project's own addresses too: the SMS task builds its receipt address from them.
urlpatterns = [path("receive/", _receive, name="receive"), *project_urls.urlpatterns]


@pytest.mark.urls("tests.ops.test_logs")
@pytest.mark.django_db(transaction=True)
def test_a_task_logs_with_the_id_of_the_request_that_enqueued_it(world, client, log_lines):
    # Committed for real, so the notification is enqueued inside the request, as in production.
    _WORLD[:] = [world]
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/receive/", HTTP_X_REQUEST_ID=INCOMING_ID)
    assert response.status_code == 201, response.content
    # The id is written with the task's row, not by an UPDATE after it (a query per change).
    task_writes = [q["sql"] for q in queries if "django_tasks_database" in q["sql"]]
    assert [sql.split()[0] for sql in task_writes] == ["INSERT"]
    # One task for the change's messages (deliver, or deliver_many when an SMS goes too: the
    # starting templates are there unless an earlier committing test flushed them).
    task = DBTaskResult.objects.get(task_path__startswith="motcua.notify.tasks.deliver")
    call_command("db_worker", batch=True, startup_delay=False, interval=0)
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    lines = log_lines()
    request_line = next(line for line in lines if line["logger"] == "motcua.request")
    worker_lines = [line for line in lines if line["logger"] == "motcua.tasks"]
    assert request_line["request_id"] == INCOMING_ID
    assert [line["message"] for line in worker_lines] == ["task started", "task finished"]
    for line in worker_lines:
        assert line["request_id"] == INCOMING_ID
        assert line["task"] == task.task_path.rsplit(".", 1)[1] and line["task_id"] == str(task.id)
    assert worker_lines[1]["task_status"] == "SUCCESSFUL"
    # The e-mail went out, but its address is in no log line.
    assert "mai@example.vn" not in json.dumps(lines)


@pytest.mark.django_db(transaction=True)  # the worker closes connections between tasks
def test_a_task_enqueued_outside_a_request_carries_no_id(log_lines):
    from motcua.notify.tasks import deliver

    result = deliver.enqueue("not-a-message-id")  # fails: no such id can exist
    assert "request_id" not in DBTaskResult.objects.get(pk=result.id).args_kwargs
    call_command("db_worker", batch=True, startup_delay=False, interval=0)
    worker = [line for line in log_lines() if line["logger"] == "motcua.tasks"]
    assert [line.get("request_id") for line in worker] == [None, None]
    assert worker[1]["task_status"] == "FAILED" and worker[1]["level"] == "ERROR"


def test_a_lookup_leaves_no_phone_digits_or_code_in_the_logs(client, world, log_lines):
    dossier = bring_to(world, "processing")
    for phone in ("5678", "1234"):
        client.get("/tra-cuu/", {"ma": dossier.code, "phone": phone, "dt": phone})
        client.get(f"/api/v1/lookup/{dossier.code}", {"phone": phone})
    # runserver writes each request line with its query string; it is scrubbed on the way out.
    logging.getLogger("django.server").info(
        '"%s" %s %s', f"GET /tra-cuu/?ma={dossier.code}&phone=1234 HTTP/1.1", 200, 2120
    )
    written = json.dumps(log_lines(), ensure_ascii=False)
    assert "portal:lookup" in written and "?[query]" in written
    assert "1234" not in written and "5678" not in written and dossier.code not in written


def test_exceptions_and_messages_lose_e_mail_addresses_and_personal_numbers(log_lines):
    logger = logging.getLogger("motcua.test")
    try:
        raise ValueError("recipient refused: binh@example.vn, CCCD 079123456789, 0912345678")
    except ValueError:
        logger.exception("sending to %s failed", "binh@example.vn")
    (line,) = [line for line in log_lines() if line["logger"] == "motcua.test"]
    written = json.dumps(line)
    assert "binh@" not in written and "079123456789" not in written and "0912345678" not in written
    assert "ValueError" in line["exception"] and line["message"] == "sending to [email] failed"


def test_log_format_json_makes_every_line_a_json_object(tmp_path):
    script = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'motcua.settings';"
        "django.setup();"
        "from django.test import Client; from django.test.utils import setup_test_environment;"
        "setup_test_environment(); Client().get('/healthz?phone=0912345678')"
    )
    env = {**os.environ, "LOG_FORMAT": "json", "MOTCUA_VAR_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert [line["view"] for line in lines] == ["ops:healthz"]
    assert "0912345678" not in done.stderr
    bad = subprocess.run(
        [sys.executable, "-c", script],
        env={**env, "LOG_FORMAT": "xml"},
        capture_output=True,
        text=True,
    )
    assert bad.returncode != 0 and "LOG_FORMAT must be json or text" in bad.stderr
