"""Payments of a dossier's fees: collected at the counter, or online through the gateway.

Each payment that succeeds adds to the dossier's `fee_paid` and appends its event to the
dossier's control sheet in the same transaction (so the indicators follow, motcua.monitoring).
Online, only the gateway's signed IPN turns a payment paid; the citizen's return page reads it.
"""

import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.templatetags.humanize_vn import dong
from motcua.dossiers.errors import InvalidInput, NotAllowed
from motcua.dossiers.lifecycle import State
from motcua.dossiers.models import Dossier
from motcua.dossiers.services.core import lock, record
from motcua.org.permissions import can

from .gateways import VNPay
from .models import Payment
from .permissions import RECORD_AT_COUNTER

# A fee is paid from reception on; many are paid when the result is handed over, and the
# counter may record that just after the hand-over.
PAYABLE = frozenset(
    {
        State.RECEIVED,
        State.PROCESSING,
        State.AWAITING_SUPPLEMENT,
        State.SUSPENDED,
        State.RESULT_READY,
        State.RETURNED,
    }
)
EVENT_ONLINE = "pay_online"
EVENT_COUNTER = "pay_counter"


def outstanding(dossier: Dossier) -> int:
    return max(0, dossier.fee_due - dossier.fee_paid)


def may_pay(dossier: Dossier) -> bool:
    return dossier.state in PAYABLE and outstanding(dossier) > 0


def may_record_at_counter(actor, dossier: Dossier) -> bool:
    return may_pay(dossier) and can(actor, RECORD_AT_COUNTER, dossier.reception_scope())


def _check_payable(dossier: Dossier) -> None:
    if dossier.state not in PAYABLE:
        raise NotAllowed(
            _("Không thể nộp phí khi hồ sơ đang ở trạng thái “%(s)s”.")
            % {"s": State(dossier.state).label}
        )
    if outstanding(dossier) == 0:
        raise NotAllowed(_("Hồ sơ không còn khoản phí, lệ phí nào phải nộp."))


def _settle(dossier: Dossier, payment: Payment, actor, now) -> None:
    """The payment is paid: the dossier's total and its control sheet, in this transaction."""
    payment.status = Payment.Status.PAID
    payment.paid_at = payment.paid_at or now
    payment.save()
    dossier.fee_paid += payment.amount
    record(
        dossier,
        EVENT_ONLINE if payment.is_online else EVENT_COUNTER,
        actor,
        from_state=dossier.state,
        now=now,
        data={
            "payment": payment.pk,
            "amount": payment.amount,
            "method": payment.method,
            "receipt_number": payment.receipt_number,
            "transaction_no": payment.transaction_no,
        },
    )


def payment_record_at_counter(
    *,
    actor,
    dossier: Dossier,
    amount,
    method: str,
    receipt_number: str = "",
    expected_version: int | None = None,
    now=None,
) -> Payment:
    """The counter officer collected (part of) the fee: cash, or a transfer or card there."""
    now = now or timezone.now()
    with transaction.atomic():
        dossier = lock(dossier, expected_version)
        if not can(actor, RECORD_AT_COUNTER, dossier.reception_scope()):
            raise PermissionDenied(_("Chỉ bộ phận một cửa nơi tiếp nhận hồ sơ được thu phí."))
        _check_payable(dossier)
        errors: dict[str, list[str]] = {}
        try:
            amount = int(amount)
        except (TypeError, ValueError):
            amount = None
        left = outstanding(dossier)
        if amount is None or amount <= 0:
            errors["amount"] = [_("Nhập số tiền đã thu (đồng), lớn hơn 0.")]
        elif amount > left:
            errors["amount"] = [
                _("Số tiền vượt quá khoản còn phải nộp (%(n)s).") % {"n": dong(left)}
            ]
        if method not in (Payment.Method.CASH, Payment.Method.TRANSFER):
            errors["method"] = [_("Chọn hình thức nộp tại quầy.")]
        receipt_number = (receipt_number or "").strip()
        if len(receipt_number) > 40:
            errors["receipt_number"] = [_("Số biên lai dài quá 40 ký tự.")]
        if errors:
            raise InvalidInput(errors)
        payment = Payment.objects.create(
            dossier=dossier,
            amount=amount,
            method=method,
            receipt_number=receipt_number,
            created_at=now,
            paid_at=now,
            recorded_by=actor,
        )
        _settle(dossier, payment, actor, now)
    return payment


def payment_start_online(
    *, actor, dossier: Dossier, gateway: VNPay, return_url: str, client_ip: str, locale="vn"
) -> tuple[Payment, str]:
    """A pending payment of what is left to pay, and the gateway address to send the citizen
    to. Nothing changes on the dossier until the gateway confirms."""
    if gateway is None:
        raise NotAllowed(_("Chưa có cổng thanh toán trực tuyến. Vui lòng nộp phí tại quầy."))
    now = timezone.now()
    with transaction.atomic():
        dossier = lock(dossier)
        if actor.pk is None or actor.pk != dossier.owner_id:
            raise PermissionDenied(_("Bạn chỉ thanh toán được hồ sơ của mình."))
        _check_payable(dossier)
        payment = Payment.objects.create(
            dossier=dossier,
            amount=outstanding(dossier),
            method=Payment.Method.ONLINE,
            gateway=gateway.name,
            # Unique for ever (VNPay asks unique per day): the row's id and a random tail.
            reference="",
            created_at=now,
        )
        payment.reference = f"MC{payment.pk:09d}{secrets.token_hex(3).upper()}"
        payment.save(update_fields=["reference"])
    code = dossier.code or str(dossier.reference)
    url = gateway.payment_url(
        reference=payment.reference,
        amount=payment.amount,
        # ASCII without diacritics, as the gateway asks.
        order_info=f"Thanh toan phi le phi ho so {code}",
        return_url=return_url,
        client_ip=client_ip,
        created=now,
        locale=locale,
    )
    return payment, url


@dataclass(frozen=True)
class IpnReply:
    code: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"RspCode": self.code, "Message": self.message}


CONFIRMED = IpnReply("00", "Confirm Success")
NOT_FOUND = IpnReply("01", "Order not found")
ALREADY = IpnReply("02", "Order already confirmed")
BAD_AMOUNT = IpnReply("04", "Invalid amount")
BAD_SIGNATURE = IpnReply("97", "Invalid signature")
UNKNOWN = IpnReply("99", "Unknown error")


def payment_confirm(*, gateway: VNPay, params) -> IpnReply:
    """The gateway's IPN: the only call that makes an online payment paid (or failed).

    Signature first; a replay of a confirmed payment changes nothing (02).
    """
    if gateway is None or not gateway.verify(params):
        return BAD_SIGNATURE
    outcome = gateway.outcome(params)
    found = Payment.objects.filter(reference=outcome.reference, gateway=gateway.name).first()
    if not outcome.reference or found is None:
        return NOT_FOUND
    now = timezone.now()
    with transaction.atomic():
        # The dossier's row lock first (the order every dossier write takes), then the payment.
        dossier = lock(found.dossier_id)
        payment = Payment.objects.select_for_update().get(pk=found.pk)
        if outcome.amount != payment.amount:
            return BAD_AMOUNT
        if payment.status != Payment.Status.PENDING:
            return ALREADY
        payment.response_code = outcome.response_code[:4]
        payment.transaction_no = outcome.transaction_no
        payment.bank_code = outcome.bank_code
        if outcome.paid:
            payment.paid_at = outcome.paid_at or now
            _settle(dossier, payment, None, now)
        else:
            payment.status = Payment.Status.FAILED
            payment.save()
    return CONFIRMED


def payment_for_return(*, gateway: VNPay, params) -> Payment | None:
    """The payment a signed return address names (the page shows what the IPN recorded)."""
    if gateway is None or not gateway.verify(params):
        return None
    reference = gateway.outcome(params).reference
    if not reference:
        return None
    return (
        Payment.objects.select_related("dossier", "dossier__procedure")
        .filter(reference=reference, gateway=gateway.name)
        .first()
    )
