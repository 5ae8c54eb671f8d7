"""The procedure catalog: fields, procedures, their fees, components and process definitions."""

from datetime import date
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from motcua.core.text import fold
from motcua.org.models import Agency, Role, Tier


class Field(models.Model):
    """Lĩnh vực: a group of procedures (Hộ tịch, Chứng thực, Đất đai…)."""

    code = models.CharField(_("mã lĩnh vực"), max_length=20, unique=True)
    name = models.CharField(_("tên lĩnh vực"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("lĩnh vực")
        verbose_name_plural = _("lĩnh vực")

    def __str__(self) -> str:
        return self.name


class OnlineLevel(models.TextChoices):
    """Mức độ dịch vụ công trực tuyến (Decree 42/2022)."""

    INFO = "info", _("Cung cấp thông tin")
    PARTIAL = "partial", _("Dịch vụ công trực tuyến một phần")
    FULL = "full", _("Dịch vụ công trực tuyến toàn trình")


class TimeUnit(models.TextChoices):
    WORKING_DAY = "working_day", _("ngày làm việc")
    WORKING_HOUR = "working_hour", _("giờ làm việc")
    SAME_DAY = "same_day", _("trong ngày")


class Procedure(models.Model):
    """Thủ tục hành chính, identified by its code in the national catalog (e.g. 1.001193)."""

    national_code = models.CharField(_("mã thủ tục"), max_length=30, unique=True)
    name = models.CharField(_("tên thủ tục"), max_length=500)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=500, blank=True)
    field = models.ForeignKey(
        Field, verbose_name=_("lĩnh vực"), on_delete=models.PROTECT, related_name="procedures"
    )
    tiers = models.JSONField(_("cấp thực hiện"), default=list)
    handling_agency = models.CharField(_("cơ quan thực hiện"), max_length=300, blank=True)
    agencies = models.ManyToManyField(
        Agency, verbose_name=_("cơ quan giải quyết"), blank=True, related_name="procedures"
    )
    processing_time = models.DecimalField(
        _("thời hạn giải quyết"),
        max_digits=7,
        decimal_places=3,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
    )
    processing_unit = models.CharField(
        _("đơn vị thời hạn"), max_length=16, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAY
    )
    cutoff = models.TimeField(
        _("giờ tiếp nhận cuối"),
        null=True,
        blank=True,
        help_text=_("Hồ sơ nhận sau giờ này được trả vào ngày làm việc tiếp theo."),
    )
    online_level = models.CharField(
        _("mức độ trực tuyến"), max_length=10, choices=OnlineLevel.choices, default=OnlineLevel.INFO
    )
    applicant_types = models.CharField(_("đối tượng thực hiện"), max_length=300, blank=True)
    description = models.TextField(_("trình tự thực hiện"), blank=True)
    conditions = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    result = models.TextField(_("kết quả thực hiện"), blank=True)
    legal_basis = models.TextField(_("căn cứ pháp lý"), blank=True)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)
    # The electronic result must carry a valid digital signature (motcua.signing) before it
    # is handed over: "kết quả điện tử có ký số".
    signed_result_required = models.BooleanField(
        _("kết quả điện tử có ký số"),
        default=False,
        help_text=_(
            "Bật thì không thể báo có kết quả khi bản điện tử của kết quả chưa được ký số hợp lệ."
        ),
    )
    # Folded copies of the name and of all searchable text, so that "dang ky khai sinh" finds
    # "Đăng ký khai sinh" with a plain LIKE on SQLite and PostgreSQL alike.
    name_folded = models.CharField(max_length=500, editable=False, db_index=True)
    search_folded = models.TextField(editable=False, default="")
    updated_at = models.DateTimeField(_("cập nhật"), auto_now=True)

    class Meta:
        ordering = ["field__name", "name"]
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")

    def __str__(self) -> str:
        return f"{self.national_code} — {self.name}"

    def save(self, *args, **kwargs):
        self.refresh_search_text()
        super().save(*args, **kwargs)

    def refresh_search_text(self) -> None:
        """Recompute the folded copies; part of this row's own data, kept in step on save."""
        self.name_folded = fold(self.name)
        self.search_folded = " ".join(
            fold(part)
            for part in (self.national_code, self.name, self.name_en, self.handling_agency)
            if part
        )

    @property
    def processing_days(self) -> Decimal:
        """The processing time in working days (hours ÷ 8; same-day counts as one day)."""
        if self.processing_unit == TimeUnit.WORKING_HOUR:
            return self.processing_time / Decimal(8)
        if self.processing_unit == TimeUnit.SAME_DAY:
            return Decimal(1)
        return self.processing_time

    def processing_time_label(self) -> str:
        if self.processing_unit == TimeUnit.SAME_DAY:
            if self.cutoff:
                return gettext("Trong ngày (nhận sau %(h)s trả vào ngày làm việc tiếp theo)") % {
                    "h": self.cutoff.strftime("%H:%M")
                }
            return gettext("Trong ngày")
        value = self.processing_time.normalize()
        unit = TimeUnit(self.processing_unit).label
        return f"{value:f} {unit}"

    def tier_labels(self) -> list[str]:
        return [Tier(t).label for t in self.tiers if t in Tier.values]

    def current_process(self, on: date | None = None):
        from django.utils import timezone

        on = on or timezone.localdate()
        return (
            self.processes.filter(published=True, valid_from__lte=on)
            .exclude(valid_to__lt=on)
            .order_by("-valid_from", "-version")
            .first()
        )


class Fee(models.Model):
    """Phí, lệ phí of a procedure; the amount may depend on a quantity (pages, copies)."""

    class Kind(models.TextChoices):
        FEE = "fee", _("Phí")
        CHARGE = "charge", _("Lệ phí")

    class Formula(models.TextChoices):
        FIXED = "fixed", _("Mức cố định")
        PER_UNIT = "per_unit", _("Theo số lượng")
        TIERED = "tiered", _("Theo bậc, có mức trần")

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="fees")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("tên"), max_length=300)
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices, default=Kind.CHARGE)
    formula = models.CharField(
        _("cách tính"), max_length=10, choices=Formula.choices, default=Formula.FIXED
    )
    amount = models.PositiveBigIntegerField(_("mức thu (đồng)"), default=0)
    unit_label = models.CharField(_("đơn vị tính"), max_length=40, blank=True)
    tiers = models.JSONField(
        _("bậc"),
        default=list,
        blank=True,
        help_text=_('Ví dụ: [{"from": 1, "to": 2, "amount": 2000}, {"from": 3, "amount": 1000}]'),
    )
    cap = models.PositiveBigIntegerField(_("mức tối đa (đồng)"), null=True, blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        ordering = ["procedure", "order", "id"]
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")

    def __str__(self) -> str:
        return self.name

    def compute(self, quantity: int = 1) -> int:
        """The amount in đồng for `quantity` units (pages, copies); fixed fees ignore it."""
        from .fees import compute_fee

        return compute_fee(self.formula, self.amount, self.tiers, self.cap, quantity)


class Component(models.Model):
    """Thành phần hồ sơ: one document the applicant provides."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="components")
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    name = models.CharField(_("tên giấy tờ"), max_length=500)
    originals = models.PositiveSmallIntegerField(_("số bản chính"), default=1)
    copies = models.PositiveSmallIntegerField(_("số bản sao"), default=0)
    required = models.BooleanField(_("bắt buộc"), default=True)
    form_name = models.CharField(_("mẫu đơn, tờ khai"), max_length=300, blank=True)
    form_file = models.FileField(_("tệp mẫu"), upload_to="forms/", blank=True)
    note = models.CharField(_("ghi chú"), max_length=500, blank=True)

    class Meta:
        ordering = ["procedure", "order", "id"]
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")

    def __str__(self) -> str:
        return self.name


class ProcessDefinition(models.Model):
    """Quy trình nội bộ: a published, dated version of a procedure's internal process.

    A dossier keeps the version it was received under, so editing the process later never
    changes the deadlines of dossiers already running.
    """

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="processes")
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    valid_from = models.DateField(_("áp dụng từ"), default=date(2025, 7, 1))
    valid_to = models.DateField(_("áp dụng đến"), null=True, blank=True)
    published = models.BooleanField(_("đã công bố"), default=True)

    class Meta:
        ordering = ["procedure", "-version"]
        verbose_name = _("quy trình nội bộ")
        verbose_name_plural = _("quy trình nội bộ")
        constraints = [
            models.UniqueConstraint(fields=["procedure", "version"], name="process_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.procedure.national_code} v{self.version}"

    def total_budget(self) -> Decimal:
        return sum((s.budget for s in self.steps.all()), Decimal(0))


class ProcessStep(models.Model):
    """Bước xử lý: who does it (role, division, level) and its time budget in working days."""

    class Handover(models.TextChoices):
        SAME = "", _("Cùng cơ quan")
        DISTRICT = "district", _("Chuyển cấp huyện")
        PROVINCE = "province", _("Chuyển cấp tỉnh")
        COMMUNE = "commune", _("Chuyển cấp xã")

    process = models.ForeignKey(ProcessDefinition, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    name = models.CharField(_("tên bước"), max_length=300)
    role = models.CharField(_("vai trò thực hiện"), max_length=32, choices=Role.choices)
    division_code = models.SlugField(_("mã phòng ban"), max_length=40, blank=True)
    handover = models.CharField(
        _("liên thông"), max_length=10, choices=Handover.choices, blank=True, default=""
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan thực hiện (nếu khác)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    budget = models.DecimalField(
        _("thời gian (ngày làm việc)"),
        max_digits=7,
        decimal_places=3,
        validators=[MinValueValidator(Decimal(0))],
    )

    class Meta:
        ordering = ["process", "order"]
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("bước xử lý")
        constraints = [
            models.UniqueConstraint(fields=["process", "order"], name="process_step_order_unique")
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"


class LifeEvent(models.Model):
    """Sự kiện cuộc sống: a moment of life (a birth, a marriage, building a house) and the
    procedures a citizen goes through for it, so they need not know the field's name."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên sự kiện"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    description = models.CharField(_("mô tả ngắn"), max_length=300, blank=True)
    description_en = models.CharField(_("mô tả ngắn tiếng Anh"), max_length=300, blank=True)
    procedures = models.ManyToManyField(
        Procedure, verbose_name=_("thủ tục"), related_name="life_events", blank=True
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("sự kiện cuộc sống")
        verbose_name_plural = _("sự kiện cuộc sống")

    def __str__(self) -> str:
        return self.name
