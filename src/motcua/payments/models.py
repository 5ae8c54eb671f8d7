from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Dossier
from motcua.org.models import User

# A pending online payment holds the fee until the gateway's expiry (vnp_ExpireDate) and this
# margin more: a citizen who pays at the last minute is confirmed a little after it.
HOLD_GRACE = timedelta(minutes=5)


class Payment(models.Model):
    """One payment of a dossier's fees (thanh toán phí, lệ phí): collected at the counter, or
    made online through the gateway, where only the gateway's signed IPN makes it paid."""

    class Method(models.TextChoices):
        ONLINE = "online", _("Thanh toán trực tuyến")
        CASH = "cash", _("Tiền mặt tại quầy")
        TRANSFER = "transfer", _("Chuyển khoản, thẻ tại quầy")

    class Status(models.TextChoices):
        PENDING = "pending", _("Đang chờ cổng thanh toán")
        PAID = "paid", _("Đã thanh toán")
        FAILED = "failed", _("Không thành công")

    dossier = models.ForeignKey(
        Dossier, verbose_name=_("hồ sơ"), on_delete=models.PROTECT, related_name="payments"
    )
    amount = models.PositiveBigIntegerField(_("số tiền (đồng)"))
    method = models.CharField(_("hình thức"), max_length=10, choices=Method.choices)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    gateway = models.CharField(_("cổng thanh toán"), max_length=20, blank=True)
    # Our transaction reference at the gateway (vnp_TxnRef); empty for the counter.
    reference = models.CharField(_("mã giao dịch"), max_length=40, blank=True)
    receipt_number = models.CharField(_("số biên lai"), max_length=40, blank=True)
    response_code = models.CharField(_("mã phản hồi của cổng"), max_length=4, blank=True)
    transaction_no = models.CharField(_("mã giao dịch tại cổng"), max_length=40, blank=True)
    bank_code = models.CharField(_("ngân hàng"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"))
    # When the gateway stops taking this payment (the vnp_ExpireDate it was sent); online only.
    expires_at = models.DateTimeField(_("hết hạn chờ lúc"), null=True, blank=True)
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        User,
        verbose_name=_("cán bộ thu"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The part of `amount` beyond what was left to pay when it was confirmed (thu thừa): the
    # money was taken, so the payment is paid, but only `amount - overpaid` went to the fee.
    overpaid = models.PositiveBigIntegerField(_("số tiền thu thừa (đồng)"), default=0)
    refunded_at = models.DateTimeField(_("hoàn trả lúc"), null=True, blank=True)
    refund_receipt_number = models.CharField(_("số chứng từ hoàn trả"), max_length=40, blank=True)
    refunded_by = models.ForeignKey(
        User,
        verbose_name=_("cán bộ hoàn trả"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("khoản thanh toán")
        verbose_name_plural = _("thanh toán phí, lệ phí")
        ordering = ["dossier", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"],
                condition=~models.Q(reference=""),
                name="payment_reference_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(overpaid__lte=models.F("amount")),
                name="payment_overpaid_within_amount",
            ),
            models.CheckConstraint(
                condition=models.Q(refunded_at__isnull=True) | models.Q(overpaid__gt=0),
                name="payment_refund_only_of_overpaid",
            ),
        ]
        indexes = [models.Index(fields=["dossier", "method", "status"])]

    def __str__(self) -> str:
        return f"{self.dossier} {self.amount:,} đ ({self.get_method_display()})"

    @property
    def is_online(self) -> bool:
        return self.method == self.Method.ONLINE

    @property
    def credited(self) -> int:
        """What went to the dossier's fee (`fee_paid`)."""
        return self.amount - self.overpaid if self.status == self.Status.PAID else 0

    @property
    def to_refund(self) -> bool:
        return self.overpaid > 0 and self.refunded_at is None

    @property
    def held_until(self):
        return self.expires_at + HOLD_GRACE if self.expires_at else None

    def holds_fee(self, now=None) -> bool:
        """Pending at the gateway, which may still confirm it: no other payment is taken."""
        return (
            self.is_online
            and self.status == self.Status.PENDING
            and self.held_until is not None
            and self.held_until > (now or timezone.now())
        )

    @property
    def lapsed(self) -> bool:
        """Pending, but past its hold: another payment may have been taken since."""
        return self.status == self.Status.PENDING and not self.holds_fee()
