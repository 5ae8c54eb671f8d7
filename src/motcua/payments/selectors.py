"""Reads of payments for the dossier pages."""

from django.utils import timezone

from .models import HOLD_GRACE, Payment


def settled_payments(dossier) -> list[Payment]:
    """The payments the fees section lists, oldest first: paid and failed ones, and pending
    ones too, since the citizen and the counter must see that the gateway may still confirm
    one (`Payment.holds_fee`) or that it lapsed."""
    return list(
        dossier.payments.select_related("recorded_by", "refunded_by").order_by("created_at", "pk")
    )


def holding_payment(dossier, *, now=None) -> Payment | None:
    """The online payment pending at the gateway that still holds the dossier's fee, if any."""
    now = now or timezone.now()
    return (
        dossier.payments.filter(
            method=Payment.Method.ONLINE,
            status=Payment.Status.PENDING,
            expires_at__gt=now - HOLD_GRACE,
        )
        .order_by("-created_at", "-pk")
        .first()
    )


def paid_payment(dossier, payment_id: int) -> Payment | None:
    """One payment of `dossier` that was made, with what its confirmation prints."""
    return (
        dossier.payments.select_related("dossier", "dossier__procedure", "recorded_by")
        .filter(pk=payment_id, status=Payment.Status.PAID)
        .first()
    )
