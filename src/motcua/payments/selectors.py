"""Reads of payments for the dossier pages."""

from .models import Payment


def settled_payments(dossier) -> list[Payment]:
    """The payments that reached an end (paid or failed), oldest first."""
    return list(
        dossier.payments.exclude(status=Payment.Status.PENDING)
        .select_related("recorded_by")
        .order_by("created_at", "pk")
    )


def paid_payment(dossier, payment_id: int) -> Payment | None:
    """One payment of `dossier` that was made, with what its confirmation prints."""
    return (
        dossier.payments.select_related("dossier", "dossier__procedure", "recorded_by")
        .filter(pk=payment_id, status=Payment.Status.PAID)
        .first()
    )
