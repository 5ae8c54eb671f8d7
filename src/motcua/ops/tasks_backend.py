"""django-tasks-db's backend, writing the request id into the task's row as it creates it.

The request id rides into tasks in the row's args_kwargs (motcua.ops.logs); added afterwards
it cost every enqueue an UPDATE of the row just inserted: a tenth of what the outbox adds to
a reception."""

from django_tasks_db.backend import DatabaseBackend as _DatabaseBackend


class DatabaseBackend(_DatabaseBackend):
    def _task_to_db_task(self, task, args, kwargs):
        from django_tasks_db.compat import normalize_json
        from django_tasks_db.models import DBTaskResult

        from .logs import CARRIED_KEY, request_id_var

        args_kwargs = normalize_json({"args": args, "kwargs": kwargs})
        if request_id := request_id_var.get():
            args_kwargs[CARRIED_KEY] = request_id
        return DBTaskResult.objects.create(
            id=self._get_id(),
            args_kwargs=args_kwargs,
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after,
            backend_name=self.alias,
        )
