"""A task worker with a fixed name that first takes back what it was doing when it died.

`db_worker` marks a task RUNNING when it claims it; a worker killed mid-task (SIGKILL, a lost
machine) leaves it RUNNING for ever, and the follow-up work it stood for (a notification) is
lost. Each worker of a deployment runs under its own fixed `--worker-id` (worker-1, worker-2,
…): when the worker of that id starts again, no task it claimed can still be running, so those
tasks go back to the queue and run again (at least once: a task may run twice, never zero
times).
"""

import logging
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError, close_old_connections, transaction

logger = logging.getLogger("motcua.tasks")
RETRY_SECONDS = 2


class Command(BaseCommand):
    help = "Run a named task worker (db_worker), first re-queuing the tasks it left running."

    def add_arguments(self, parser):
        parser.add_argument("--worker-id", required=True, help="unique and stable, e.g. worker-1")
        parser.add_argument("--interval", type=float, default=1.0)
        parser.add_argument("--batch", action="store_true", help="run what is ready, then stop")

    def handle(self, *args, worker_id: str, interval: float, batch: bool, **options):
        if not worker_id.replace("-", "").replace("_", "").isalnum() or len(worker_id) > 64:
            raise CommandError("--worker-id: letters, digits, '-' and '_' only (64 at most).")
        arguments = ["--worker-id", worker_id, "--interval", str(interval)]
        while True:
            try:
                requeued = requeue_abandoned(worker_id)
                if requeued:
                    self.stdout.write(f"{worker_id}: {requeued} task(s) left running re-queued")
                call_command("db_worker", *arguments, *(["--batch"] if batch else []))
                return
            except (OperationalError, InterfaceError) as exc:
                # The database went away (a restart, a fail-over): wait and carry on, as a
                # supervisor restarting the worker would, without losing the claimed task.
                logger.warning("%s: database unavailable (%s); retrying", worker_id, type(exc))
                close_old_connections()
                time.sleep(RETRY_SECONDS)


def requeue_abandoned(worker_id: str) -> int:
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        abandoned = [
            task
            for task in DBTaskResult.objects.select_for_update().filter(
                status=TaskResultStatus.RUNNING
            )
            if task.worker_ids and task.worker_ids[-1] == worker_id
        ]
        for task in abandoned:
            task.status = TaskResultStatus.READY
            task.started_at = None
            task.save(update_fields=["status", "started_at"])
    return len(abandoned)
