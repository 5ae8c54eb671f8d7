"""The dossier (hồ sơ), its steps, pauses, files and the append-only event chain."""

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Component, Procedure, ProcessDefinition, ProcessStep
from motcua.org.models import Agency, Role, Unit, User
from motcua.org.permissions import Scope

from .lifecycle import BY_ACTION, FINISHED, NATIONAL_STATUS, State


class Channel(models.IntegerChoices):
    """Kênh tiếp nhận, with the national portal's codes."""

    COUNTER = 1, _("Trực tiếp")
    ONLINE = 2, _("Trực tuyến")
    POST = 3, _("Bưu chính công ích")


class Delivery(models.TextChoices):
    """Hình thức nhận kết quả."""

    COUNTER = "counter", _("Nhận tại Bộ phận Một cửa")
    POST = "post", _("Qua dịch vụ bưu chính công ích")
    ELECTRONIC = "electronic", _("Nhận bản điện tử")


class ApplicantKind(models.IntegerChoices):
    """LoaiDoiTuong of the national portal."""

    PERSON = 1, _("Công dân")
    ORGANIZATION = 2, _("Tổ chức, doanh nghiệp")


class Timeliness(models.TextChoices):
    EARLY = "early", _("Trước hạn")
    ON_TIME = "on_time", _("Đúng hạn")
    LATE = "late", _("Quá hạn")
    DUE_SOON = "due_soon", _("Sắp đến hạn")
    IN_TIME = "in_time", _("Trong hạn")
    PAUSED = "paused", _("Đang tạm dừng")
    NOT_STARTED = "not_started", _("Chưa tính hạn")


class Dossier(models.Model):
    """Hồ sơ: one application under one procedure, from submission to its result."""

    code = models.CharField(_("mã hồ sơ"), max_length=64, unique=True, null=True, blank=True)
    reference = models.UUIDField(
        _("mã tham chiếu"), default=uuid.uuid4, unique=True, editable=False
    )
    procedure = models.ForeignKey(Procedure, verbose_name=_("thủ tục"), on_delete=models.PROTECT)
    process = models.ForeignKey(
        ProcessDefinition,
        verbose_name=_("quy trình"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    applicant_kind = models.PositiveSmallIntegerField(
        _("loại đối tượng"), choices=ApplicantKind.choices, default=ApplicantKind.PERSON
    )
    applicant_name = models.CharField(_("người nộp / tổ chức"), max_length=200)
    applicant_id_number = models.CharField(
        _("số định danh / mã số thuế"), max_length=20, blank=True
    )
    applicant_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("thư điện tử"), blank=True)
    # How the applicant chose to be told: "sms", "zns", "email" (motcua.notify.models.Channel).
    notify_by = models.JSONField(_("nhận thông báo qua"), default=list, blank=True)
    applicant_address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    owner = models.ForeignKey(
        User,
        verbose_name=_("tài khoản công dân"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="own_dossiers",
    )
    summary = models.CharField(_("trích yếu"), max_length=500, blank=True)
    receiving_agency = models.ForeignKey(
        Agency, verbose_name=_("nơi tiếp nhận"), on_delete=models.PROTECT, related_name="+"
    )
    # The unit at reception, kept even if the agency later moves or units merge.
    receiving_unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị tiếp nhận"), on_delete=models.PROTECT, related_name="+"
    )
    current_agency = models.ForeignKey(
        Agency, verbose_name=_("nơi đang xử lý"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.PositiveSmallIntegerField(
        _("kênh tiếp nhận"), choices=Channel.choices, default=Channel.COUNTER
    )
    delivery = models.CharField(
        _("nhận kết quả"), max_length=12, choices=Delivery.choices, default=Delivery.COUNTER
    )
    delivery_address = models.CharField(_("địa chỉ nhận kết quả"), max_length=300, blank=True)
    state = models.CharField(
        _("trạng thái"), max_length=24, choices=State.choices, default=State.DRAFT, db_index=True
    )
    quantity = models.PositiveIntegerField(_("số lượng (trang, bản)"), default=1)
    fee_due = models.PositiveBigIntegerField(_("phí, lệ phí phải nộp (đồng)"), default=0)
    fee_paid = models.PositiveBigIntegerField(_("đã nộp (đồng)"), default=0)
    assignee = models.ForeignKey(
        User,
        verbose_name=_("cán bộ đang xử lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_dossiers",
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    received_at = models.DateTimeField(_("tiếp nhận lúc"), null=True, blank=True, db_index=True)
    # The clock: the processing time (in working seconds) counts from clock_start; pauses
    # before now add their working time to the due time.
    budget_seconds = models.BigIntegerField(_("thời hạn (giây làm việc)"), default=0)
    clock_start = models.DateTimeField(null=True, blank=True)
    paused_seconds = models.BigIntegerField(default=0)
    due_at = models.DateTimeField(_("hạn giải quyết"), null=True, blank=True, db_index=True)
    appointment_at = models.DateTimeField(_("hẹn trả kết quả"), null=True, blank=True)
    supplement_requests = models.PositiveSmallIntegerField(_("số lần yêu cầu bổ sung"), default=0)
    apologies = models.PositiveSmallIntegerField(_("số lần xin lỗi, gia hạn"), default=0)
    approved_at = models.DateTimeField(_("phê duyệt lúc"), null=True, blank=True)
    approved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result_ready_at = models.DateTimeField(_("có kết quả lúc"), null=True, blank=True)
    finished_at = models.DateTimeField(_("kết thúc lúc"), null=True, blank=True, db_index=True)
    result_summary = models.TextField(_("kết quả, lý do"), blank=True)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    event_head = models.CharField(max_length=64, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("hồ sơ")
        verbose_name_plural = _("hồ sơ")
        indexes = [
            models.Index(fields=["current_agency", "state", "due_at"], name="dossier_queue_idx"),
            models.Index(fields=["receiving_agency", "state"], name="dossier_reception_idx"),
            # A queue filtered by state and sorted by due or reception time reads these in
            # order and stops at the page, instead of sorting every matching dossier.
            models.Index(fields=["state", "due_at"], name="dossier_state_due_idx"),
            models.Index(fields=["state", "received_at"], name="dossier_state_received_idx"),
            # The hotline desk finds a caller's dossiers by phone or ID across the province.
            models.Index(fields=["applicant_phone"], name="dossier_phone_idx"),
            models.Index(fields=["applicant_id_number"], name="dossier_id_number_idx"),
        ]

    def __str__(self) -> str:
        return self.code or f"#{self.reference.hex[:8]}"

    def permission_scope(self) -> Scope:
        return Scope(unit_id=None, agency_id=self.current_agency_id)

    def reception_scope(self) -> Scope:
        return Scope(unit_id=self.receiving_unit_id, agency_id=self.receiving_agency_id)

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED

    @property
    def national_status(self) -> int:
        return NATIONAL_STATUS[State(self.state)]

    @property
    def notify_by_display(self) -> str:
        """The channels the applicant chose, in words ("Tin nhắn SMS, Zalo")."""
        from motcua.notify.models import Channel

        labels = {
            Channel.SMS: _("Tin nhắn SMS"),
            Channel.ZNS: _("Zalo"),
            Channel.EMAIL: _("Thư điện tử"),
        }
        return ", ".join(str(labels[c]) for c in labels if c in (self.notify_by or []))

    @property
    def state_display(self) -> str:
        """The state as shown to officers and applicants: an approved result still being
        processed says so ("Đang xử lý — đã phê duyệt")."""
        from .lifecycle import State

        label = State(self.state).label
        if self.approved_at is not None and self.state in (State.RECEIVED, State.PROCESSING):
            return _("%(state)s — đã phê duyệt") % {"state": label}
        return str(label)

    @property
    def display_code(self) -> str:
        return self.code or str(self.reference).upper()[:8]


class DossierStep(models.Model):
    """One step of a dossier's processing, with its own budget and due time."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("thứ tự"))
    process_step = models.ForeignKey(ProcessStep, null=True, blank=True, on_delete=models.PROTECT)
    name = models.CharField(_("bước"), max_length=300)
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices)
    agency = models.ForeignKey(Agency, verbose_name=_("cơ quan"), on_delete=models.PROTECT)
    division_code = models.CharField(_("phòng ban"), max_length=40, blank=True)
    assignee = models.ForeignKey(
        User, verbose_name=_("người xử lý"), null=True, blank=True, on_delete=models.PROTECT
    )
    budget_seconds = models.BigIntegerField(default=0)
    started_at = models.DateTimeField(_("bắt đầu"))
    paused_seconds = models.BigIntegerField(default=0)
    due_at = models.DateTimeField(_("hạn"))
    finished_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)

    class Meta:
        ordering = ["dossier", "order"]
        verbose_name = _("bước xử lý của hồ sơ")
        verbose_name_plural = _("bước xử lý của hồ sơ")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "order"], name="dossier_step_order"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier} · {self.order}. {self.name}"


class Pause(models.Model):
    """A span when the clock stops: waiting for a supplement, or processing stopped."""

    class Kind(models.TextChoices):
        SUPPLEMENT = "supplement", _("Chờ bổ sung")
        SUSPENSION = "suspension", _("Tạm dừng")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    working_seconds = models.BigIntegerField(default=0)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["dossier", "started_at"]
        verbose_name = _("khoảng tạm dừng")
        verbose_name_plural = _("khoảng tạm dừng")

    def __str__(self) -> str:
        return f"{self.dossier} · {self.get_kind_display()} {self.started_at:%d/%m/%Y}"


def _file_path(instance, filename: str) -> str:
    stamp = instance.uploaded_at or None
    prefix = stamp.strftime("%Y/%m") if stamp else "unsorted"
    return f"dossiers/{prefix}/{uuid.uuid4().hex}{_suffix(filename)}"


def _suffix(filename: str) -> str:
    dot = filename.rfind(".")
    return filename[dot:].lower()[:10] if dot > 0 else ""


class DossierFile(models.Model):
    """A stored file of a dossier. Never overwritten: a new version is a new row and file."""

    class Purpose(models.TextChoices):
        INPUT = "input", _("Thành phần hồ sơ")
        SUPPLEMENT = "supplement", _("Hồ sơ bổ sung")
        RESULT = "result", _("Kết quả giải quyết")
        ATTACHMENT = "attachment", _("Tài liệu kèm theo")

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="files")
    component = models.ForeignKey(Component, null=True, blank=True, on_delete=models.SET_NULL)
    purpose = models.CharField(max_length=12, choices=Purpose.choices, default=Purpose.INPUT)
    file = models.FileField(upload_to=_file_path, max_length=300)
    original_name = models.CharField(_("tên tệp"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    # Indexed: the public verification page (/xac-thuc/) finds an issued result by its hash.
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT)
    uploaded_at = models.DateTimeField()
    supersedes = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    # What the check of a PDF's digital signatures found when it was stored
    # (motcua.signing.validation): its status slug, and the details shown on click.
    signature_status = models.CharField(_("chữ ký số"), max_length=12, blank=True)
    signature = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["dossier", "uploaded_at", "id"]
        verbose_name = _("tệp hồ sơ")
        verbose_name_plural = _("tệp hồ sơ")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_signed(self) -> bool:
        """A PDF whose digital signatures are all intact, valid and trusted."""
        return self.signature_status == "valid"


# Events that are not moves of the lifecycle table: the applicant's work on a draft, and the
# fees paid (motcua.payments).
OTHER_EVENTS = {
    "create": _("Tạo hồ sơ"),
    "edit_draft": _("Cập nhật hồ sơ nháp"),
    "attach_files": _("Đính kèm tệp"),
    "attach_result": _("Đính kèm bản điện tử của kết quả"),
    "sign_result": _("Ký số kết quả giải quyết"),
    "detach_file": _("Gỡ tệp đính kèm"),
    "pay_counter": _("Nộp phí, lệ phí tại quầy"),
    "pay_online": _("Thanh toán phí, lệ phí trực tuyến"),
    "pay_overpaid": _("Thu thừa phí, lệ phí (cần hoàn trả)"),
    "refund_overpaid": _("Hoàn trả tiền thu thừa phí, lệ phí"),
    "anonymize": _("Ẩn danh hóa dữ liệu cá nhân hết thời hạn lưu trữ"),
}


class DossierEvent(models.Model):
    """One line of the processing control sheet; append-only, hash-chained per dossier."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    seq = models.PositiveIntegerField()
    action = models.CharField(max_length=32)
    from_state = models.CharField(max_length=24, blank=True)
    to_state = models.CharField(max_length=24)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT)
    actor_name = models.CharField(max_length=200, blank=True)
    actor_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(db_index=True)
    note = models.TextField(blank=True)
    step = models.ForeignKey(DossierStep, null=True, blank=True, on_delete=models.PROTECT)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["dossier", "seq"]
        verbose_name = _("sự kiện hồ sơ")
        verbose_name_plural = _("phiếu kiểm soát (sự kiện)")
        constraints = [
            models.UniqueConstraint(fields=["dossier", "seq"], name="dossier_event_seq"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier} #{self.seq} {self.action}"

    @property
    def label(self) -> str:
        """What happened, in words (the action's name in the lifecycle table)."""
        transition = BY_ACTION.get(self.action)
        if transition:
            return str(transition.label)
        return str(OTHER_EVENTS.get(self.action, OTHER_EVENTS["create"]))


class CodeCounter(models.Model):
    """The last sequence number used for dossier codes at one agency on one day."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="code_counter_agency_day"),
        ]

    def __str__(self) -> str:
        return f"{self.agency.code} {self.day:%y%m%d}: {self.last}"


class SigningBatch(models.Model):
    """A leader's "sign these results" (ký số hàng loạt): one key, one approval for a remote
    key, and an outcome per dossier; one that fails does not stop the others."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Đang chờ ký")
        RUNNING = "running", _("Đang ký")
        DONE = "done", _("Đã xong")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    message = models.CharField(max_length=500, blank=True)  # why nothing could be signed
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lượt ký số kết quả")
        verbose_name_plural = _("lượt ký số kết quả")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.actor} {self.created_at:%d/%m/%Y %H:%M}"


class SigningBatchItem(models.Model):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Chờ ký")
        SIGNED = "signed", _("Đã ký số")
        FAILED = "failed", _("Không ký được")

    batch = models.ForeignKey(SigningBatch, on_delete=models.CASCADE, related_name="items")
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveIntegerField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.WAITING)
    message = models.CharField(max_length=500, blank=True)
    files = models.PositiveSmallIntegerField(default=0)  # PDFs signed
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["batch", "order"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "dossier"], name="signing_item_once"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier} ({self.get_status_display()})"
