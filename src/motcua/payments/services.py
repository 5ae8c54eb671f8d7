"""Payments of a dossier's fees: collected at the counter, or online through the gateway.

Each payment that succeeds adds to the dossier's `fee_paid` and appends its event to the
dossier's control sheet in the same transaction (so the indicators follow, motcua.monitoring).
Online, only the gateway's signed IPN turns a payment paid; the citizen's return page reads it.
A fee is taken once: while an online payment is pending nobody starts or collects another, and
money the gateway takes beyond what was left is recorded as an overpayment to refund, never
added to `fee_paid`.
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
from .selectors import holding_payment

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
EVENT_OVERPAID = "pay_overpaid"
EVENT_REFUND = "refund_overpaid"


class PaymentPending(NotAllowed):
    """An online payment of the dossier is pending at the gateway: no other is taken now."""

    def __init__(self, message: str, payment: Payment):
        super().__init__(message)
        self.payment = payment


def outstanding(dossier: Dossier) -> int:
    return max(0, dossier.fee_due - dossier.fee_paid)


def may_pay(dossier: Dossier) -> bool:
    """A payment may be started or collected now (none pending at the gateway holds the fee)."""
    return (
        dossier.state in PAYABLE and outstanding(dossier) > 0 and holding_payment(dossier) is None
    )


def may_record_at_counter(actor, dossier: Dossier) -> bool:
    return may_pay(dossier) and can(actor, RECORD_AT_COUNTER, dossier.reception_scope())


def may_record_refund(actor, dossier: Dossier) -> bool:
    """Refunds are the counter's, like collection; only where something is left to refund."""
    return can(actor, RECORD_AT_COUNTER, dossier.reception_scope()) and (
        dossier.payments.filter(overpaid__gt=0, refunded_at__isnull=True).exists()
    )


def _hm(moment) -> str:
    return timezone.localtime(moment).strftime("%H:%M %d/%m/%Y")


def _check_payable(dossier: Dossier, now, *, counter: bool) -> None:
    if dossier.state not in PAYABLE:
        raise NotAllowed(
            _("Không thể nộp phí khi hồ sơ đang ở trạng thái “%(s)s”.")
            % {"s": State(dossier.state).label}
        )
    if outstanding(dossier) == 0:
        if dossier.fee_due > 0:
            raise NotAllowed(
                _("Phí, lệ phí của hồ sơ này đã nộp đủ (%(n)s); không cần nộp thêm.")
                % {"n": dong(dossier.fee_due)}
            )
        raise NotAllowed(_("Hồ sơ không còn khoản phí, lệ phí nào phải nộp."))
    pending = holding_payment(dossier, now=now)
    if pending is None:
        return
    facts = {
        "ref": pending.reference,
        "n": dong(pending.amount),
        "t": _hm(pending.created_at),
        "until": _hm(pending.held_until),
    }
    if counter:
        message = _(
            "Người nộp đang thanh toán trực tuyến %(n)s (giao dịch %(ref)s, bắt đầu lúc %(t)s) "
            "và cổng thanh toán chưa báo kết quả: chưa thu tại quầy để tránh thu hai lần. Có "
            "thể thu sau %(until)s nếu giao dịch không được xác nhận."
        )
    else:
        message = _(
            "Bạn đã bắt đầu thanh toán trực tuyến hồ sơ này lúc %(t)s (giao dịch %(ref)s, "
            "%(n)s) và cổng thanh toán chưa báo kết quả. Nếu đã thanh toán, vui lòng chờ xác "
            "nhận; nếu chưa, bạn có thể thanh toán lại sau %(until)s."
        )
    raise PaymentPending(message % facts, pending)


def _settle(dossier: Dossier, payment: Payment, actor, now) -> None:
    """The payment is paid: the dossier's total and its control sheet, in this transaction.

    The money was taken whatever is left to pay (a lapsed online payment confirmed after the
    counter collected, say): what exceeds it is recorded as overpaid, for the counter to refund.
    """
    payment.status = Payment.Status.PAID
    payment.paid_at = payment.paid_at or now
    payment.overpaid = max(0, payment.amount - outstanding(dossier))
    payment.save()
    dossier.fee_paid += payment.credited
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
            "overpaid": payment.overpaid,
        },
    )
    if payment.overpaid:
        record(
            dossier,
            EVENT_OVERPAID,
            actor,
            from_state=dossier.state,
            now=now,
            data={"payment": payment.pk, "amount": payment.overpaid},
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
        # While the gateway may still confirm an online payment the counter collects nothing:
        # the citizen would pay twice. The hold ends with the payment's expiry, at most
        # `expiry_minutes` + HOLD_GRACE after it was started; a late confirmation after that is
        # recorded as overpaid (`_settle`).
        _check_payable(dossier, now, counter=True)
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


def payment_record_refund(
    *,
    actor,
    dossier: Dossier,
    payment_id: int,
    receipt_number,
    expected_version: int | None = None,
    now=None,
) -> Payment:
    """The counter paid back what a payment took beyond the fee (its `overpaid`)."""
    now = now or timezone.now()
    with transaction.atomic():
        dossier = lock(dossier, expected_version)
        if not can(actor, RECORD_AT_COUNTER, dossier.reception_scope()):
            raise PermissionDenied(
                _("Chỉ bộ phận một cửa nơi tiếp nhận hồ sơ được hoàn trả tiền thu thừa.")
            )
        payment = Payment.objects.select_for_update().filter(pk=payment_id, dossier=dossier).first()
        if payment is None or not payment.to_refund:
            raise NotAllowed(_("Khoản này không có tiền thu thừa cần hoàn trả."))
        receipt_number = receipt_number.strip() if isinstance(receipt_number, str) else ""
        if not receipt_number:
            raise InvalidInput(
                {"refund_receipt_number": [_("Nhập số chứng từ chi hoàn trả cho người nộp.")]}
            )
        if len(receipt_number) > 40:
            raise InvalidInput({"refund_receipt_number": [_("Số chứng từ dài quá 40 ký tự.")]})
        payment.refunded_at = now
        payment.refund_receipt_number = receipt_number
        payment.refunded_by = actor
        payment.save()
        record(
            dossier,
            EVENT_REFUND,
            actor,
            from_state=dossier.state,
            now=now,
            data={
                "payment": payment.pk,
                "amount": payment.overpaid,
                "receipt_number": receipt_number,
            },
        )
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
        # Under the dossier's row lock, so of two simultaneous starts the second sees the
        # first's pending payment and is refused (PaymentPending).
        dossier = lock(dossier)
        if actor.pk is None or actor.pk != dossier.owner_id:
            raise PermissionDenied(_("Bạn chỉ thanh toán được hồ sơ của mình."))
        # A pending payment past its expiry (plus HOLD_GRACE) no longer blocks a new one: the
        # gateway no longer takes it, and a citizen who closed the gateway's page must not be
        # stuck. It stays pending, not failed, since only the gateway says it failed; should it
        # be confirmed after all, `_settle` records the excess as overpaid.
        _check_payable(dossier, now, counter=False)
        payment = Payment.objects.create(
            dossier=dossier,
            amount=outstanding(dossier),
            method=Payment.Method.ONLINE,
            gateway=gateway.name,
            # Unique for ever (VNPay asks unique per day): the row's id and a random tail.
            reference="",
            created_at=now,
            expires_at=gateway.expiry(now),
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
