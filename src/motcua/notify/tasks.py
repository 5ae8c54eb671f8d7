"""The outbox's sending task: one message per task, after the change that queued it commits."""

from django_tasks import task


@task()
def deliver(message_id: str) -> str:
    """Send one message of the outbox (motcua.notify.services.deliver)."""
    from . import services

    return services.deliver(message_id)


@task()
def deliver_many(message_ids: list[str]) -> list[str]:
    """Send the messages one change queued (one task instead of one per message)."""
    from . import services

    return [services.deliver(message_id) for message_id in message_ids]
