from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "motcua.ops"
    label = "ops"
    verbose_name = "Vận hành"

    def ready(self):
        # In every process (web and task workers) the request id follows tasks.
        from .logs import connect_task_signals

        connect_task_signals()
