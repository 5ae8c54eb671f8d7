"""Structured logs: one JSON object a line, each with the id of the request it belongs to, and
that id carried into the tasks the request enqueues. Nothing personal is written: no query
strings (lookups carry codes and phone digits there), e-mail addresses or long digit runs.

This module is loaded by the logging configuration before the apps are ready: it imports no
models at the top.
"""

import json
import logging
import re
import time
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

REQUEST_ID_HEADER = "X-Request-ID"
# The id a request's log lines and its tasks share; None outside a request or task.
request_id_var: ContextVar[str | None] = ContextVar("motcua_request_id", default=None)
# (task name, task result id) while a task runs.
task_var: ContextVar[tuple[str, str] | None] = ContextVar("motcua_task", default=None)

# A proxy's id (nginx's $request_id, a UUID) is hex and dashes. Only that is believed: a
# free-form header would let anyone write a name or a phone number into our logs.
_WELL_FORMED_ID = re.compile(r"[0-9A-Fa-f-]{16,64}")
_QUERY_STRING = re.compile(r"(?<=\S)\?[^\s\"'<>]+")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Phone numbers (10 digits, +84…) and personal ID numbers (9 or 12 digits); task ids and UUID
# parts are left alone because they touch a dash or a letter.
_DIGIT_RUN = re.compile(r"(?<![\w-])\+?\d{9,12}(?![\w-])")
_RECORD_FIELDS = ("method", "view", "status", "duration_ms", "task", "task_id", "task_status")

access_logger = logging.getLogger("motcua.request")
task_logger = logging.getLogger("motcua.tasks")


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id_from(header: str | None) -> str:
    """The caller's id when it is well-formed (so the proxy's log and ours match), else a new one."""
    if header and _WELL_FORMED_ID.fullmatch(header):
        return header
    return new_request_id()


def scrub(text: str) -> str:
    """Remove query strings, e-mail addresses and phone or ID numbers from a log text."""
    text = _QUERY_STRING.sub("?[query]", text)
    text = _EMAIL.sub("[email]", text)
    return _DIGIT_RUN.sub("[number]", text)


def view_label(request) -> str:
    """The URL's name, never its path: paths carry dossier codes and references."""
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name
    from django.conf import settings

    static = "/" + settings.STATIC_URL.lstrip("/")
    return "static" if request.path_info.startswith(static) else "unmatched"


class RequestIdMiddleware:
    """Give each request an id (the proxy's X-Request-ID or a new one), answer with it in the
    same header, and write one access line: method, URL name, status, duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            view = view_label(request)
            access_logger.info(
                "%s %s %s",
                request.method,
                view,
                response.status_code,
                extra={
                    "method": request.method,
                    "view": view,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
            return response
        finally:
            request_id_var.reset(token)


class ContextFilter(logging.Filter):
    """Put the current request id and task on every record, and scrub its message.

    Set on the handler, so that it sees the records of every logger, Django's own included.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get() or "-"
        current_task = task_var.get()
        if current_task is not None and not hasattr(record, "task"):
            record.task, record.task_id = current_task
        message = record.getMessage()
        clean = scrub(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, request_id and the request's or
    task's fields when the record has them."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None) or request_id_var.get()
        if request_id and request_id != "-":
            entry["request_id"] = request_id
        for field in _RECORD_FIELDS:
            if hasattr(record, field):
                entry[field] = getattr(record, field)
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


# --- The request id rides into tasks ---
# django-tasks has no message headers, so the id travels beside the task: in the database
# backend's own row (an extra key of its args_kwargs, which the backend does not read), in the
# shared cache for any other backend. The worker takes it back when the task starts.
CARRIED_KEY = "request_id"
CACHE_SECONDS = 24 * 3600
_running: dict[str, tuple] = {}


def _cache_key(result_id) -> str:
    return f"motcua:task-request-id:{result_id}"


def _in_process(sender) -> bool:
    from django_tasks.backends.dummy import DummyBackend
    from django_tasks.backends.immediate import ImmediateBackend

    return isinstance(sender, type) and issubclass(sender, ImmediateBackend | DummyBackend)


def _carry(sender, task_result, **kwargs) -> None:
    request_id = request_id_var.get()
    if not request_id or _in_process(sender):
        return  # the immediate backend runs the task in this very context
    row = getattr(task_result, "db_result", None)
    if row is not None and (row.args_kwargs or {}).get(CARRIED_KEY) == request_id:
        return  # written with the row (motcua.ops.tasks_backend)
    try:
        if row is not None:
            type(row).objects.filter(pk=row.pk).update(
                args_kwargs={**row.args_kwargs, CARRIED_KEY: request_id}
            )
        else:
            from django.core.cache import cache

            cache.set(_cache_key(task_result.id), request_id, CACHE_SECONDS)
    except Exception:  # a lost correlation must never lose the task
        task_logger.warning("request id not carried into task %s", task_result.id, exc_info=True)


def _carried(sender, task_result) -> str | None:
    row = getattr(task_result, "db_result", None)
    if row is not None:
        return (row.args_kwargs or {}).get(CARRIED_KEY)
    if _in_process(sender):
        return request_id_var.get()
    try:
        from django.core.cache import cache

        key = _cache_key(task_result.id)
        request_id = cache.get(key)
        cache.delete(key)
        return request_id
    except Exception:
        task_logger.warning("request id of task %s unreadable", task_result.id, exc_info=True)
        return None


def _task_started(sender, task_result, **kwargs) -> None:
    tokens = (
        request_id_var.set(_carried(sender, task_result)),
        task_var.set((task_result.task.name, str(task_result.id))),
    )
    _running[str(task_result.id)] = tokens
    task_logger.info("task started")


def _task_finished(sender, task_result, **kwargs) -> None:
    failed = task_result.status == "FAILED"
    task_logger.log(
        logging.ERROR if failed else logging.INFO,
        "task finished",
        extra={"task_status": str(task_result.status)},
    )
    tokens = _running.pop(str(task_result.id), None)
    if tokens is not None:
        request_token, task_token = tokens
        try:
            task_var.reset(task_token)
            request_id_var.reset(request_token)
        except ValueError:  # set in another context: the next task sets its own anyway
            task_var.set(None)
            request_id_var.set(None)


def connect_task_signals() -> None:
    from django_tasks.signals import task_enqueued, task_finished, task_started

    task_enqueued.connect(_carry, dispatch_uid="motcua.ops.logs.carry")
    task_started.connect(_task_started, dispatch_uid="motcua.ops.logs.started")
    task_finished.connect(_task_finished, dispatch_uid="motcua.ops.logs.finished")
