"""The outbox's sending task: one message per task, after the change that queued it commits."""

from django_tasks import task


@task()
def deliver(message_id: str) -> str:
    """Send one message of the outbox (motcua.notify.services.deliver)."""
    from . import services

    return services.deliver(message_id)
