from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Dossier
from motcua.org.models import User


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
    paid_at = models.DateTimeField(_("thanh toán lúc"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        User,
        verbose_name=_("cán bộ thu"),
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
        ]
        indexes = [models.Index(fields=["dossier", "method", "status"])]

    def __str__(self) -> str:
        return f"{self.dossier} {self.amount:,} đ ({self.get_method_display()})"

    @property
    def is_online(self) -> bool:
        return self.method == self.Method.ONLINE
