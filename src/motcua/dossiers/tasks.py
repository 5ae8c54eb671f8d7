"""Tasks of dossiers: signing a batch of results (the leader's page follows its progress)."""

from django_tasks import task


@task()
def sign_result_batch(batch_id: str) -> str:
    from .models import SigningBatch
    from .services.results import sign_batch

    batch = SigningBatch.objects.select_related("actor").filter(pk=batch_id).first()
    if batch is None or batch.status == SigningBatch.Status.DONE:
        return "nothing to do"
    sign_batch(batch)
    return "done"
