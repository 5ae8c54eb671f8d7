"""The outbox (every message motcua sends), its templates, opt-outs and provider tokens."""

import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ProviderToken(models.Model):
    """A provider's current OAuth tokens (mã truy cập), shared by every worker.

    Zalo's refresh tokens are single-use: whoever refreshes must store the rotated pair at
    once, under a row lock, or the next refresh fails (motcua.notify.channels.zalo).
    """

    provider = models.SlugField(_("nhà cung cấp"), max_length=40, unique=True)
    access_token = models.TextField(_("access token"), blank=True)
    refresh_token = models.TextField(_("refresh token"), blank=True)
    expires_at = models.DateTimeField(_("hết hạn lúc"), null=True, blank=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("mã truy cập nhà cung cấp")
        verbose_name_plural = _("mã truy cập nhà cung cấp")

    def __str__(self):
        return self.provider


class Channel(models.TextChoices):
    EMAIL = "email", _("Thư điện tử")
    SMS = "sms", _("Tin nhắn SMS")
    ZNS = "zns", _("Zalo (tin ZNS)")
    ZALO_OA = "zalo_oa", _("Zalo OA (trả lời)")


# What a citizen may choose to be told by (the OA reply answers a message he wrote).
CHOOSABLE = (Channel.SMS, Channel.ZNS, Channel.EMAIL)


class Event(models.TextChoices):
    """The moments a message is sent for; each has its own template per channel."""

    RECEIVED = "received", _("Tiếp nhận, hẹn trả kết quả")
    COMPLETION = "completion", _("Yêu cầu hoàn thiện trước khi tiếp nhận")
    NOT_RECEIVED = "not_received", _("Từ chối tiếp nhận")
    SUPPLEMENT = "supplement", _("Yêu cầu bổ sung")
    SUSPENDED = "suspended", _("Tạm dừng giải quyết")
    APOLOGY = "apology", _("Xin lỗi, hẹn lại ngày trả")
    RESULT_READY = "result_ready", _("Có kết quả, cách nhận")
    RETURNED = "returned", _("Đã trả kết quả")
    REJECTED = "rejected", _("Từ chối giải quyết")
    PAID = "paid", _("Xác nhận đã nộp phí, lệ phí")
    FEEDBACK_ANSWERED = "feedback_answered", _("Trả lời phản ánh, kiến nghị")
    LOOKUP = "lookup", _("Trả lời tra cứu")
    LOOKUP_LINK = "lookup_link", _("Đường dẫn tra cứu (tổng đài)")


# The shared generation of the templates (motcua.core.memo): bumped when one is saved.
TEMPLATES = "notify-templates"


class Template(models.Model):
    """Mẫu tin: the text of one event's message on one channel, edited in the admin.

    An SMS template must be the very text the carrier registered for the brandname, with
    placeholders where the values go: it is checked on save for unknown placeholders and its
    length shown in segments (motcua.notify.templating)."""

    event = models.CharField(_("sự kiện"), max_length=24, choices=Event.choices)
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    subject = models.CharField(_("tiêu đề (thư điện tử)"), max_length=200, blank=True)
    text = models.TextField(_("nội dung"), max_length=2000)
    zns_template_id = models.CharField(_("mã mẫu ZNS đã được duyệt"), max_length=40, blank=True)
    active = models.BooleanField(_("đang dùng"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("mẫu tin")
        verbose_name_plural = _("mẫu tin")
        ordering = ["event", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["event", "channel"], name="notify_template_once")
        ]

    def __str__(self):
        return f"{self.get_event_display()} · {self.get_channel_display()}"

    def save(self, *args, **kwargs):
        from motcua.core.memo import bump_generation

        super().save(*args, **kwargs)
        bump_generation(TEMPLATES)

    def delete(self, *args, **kwargs):
        from motcua.core.memo import bump_generation

        result = super().delete(*args, **kwargs)
        bump_generation(TEMPLATES)
        return result

    def clean(self):
        from .templating import check_template

        check_template(self)


class Message(models.Model):
    """One message motcua sends, from the moment the change that causes it commits.

    Its id is the providers' deduplication id (eSMS RequestId, ZNS tracking_id): every attempt
    sends the same id, so a retried or re-run send is never delivered twice."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Chờ gửi")
        SENDING = "sending", _("Đang gửi")
        SENT = "sent", _("Đã gửi")
        DELIVERED = "delivered", _("Đã nhận")
        SEEN = "seen", _("Đã xem")
        FAILED = "failed", _("Lỗi, không gửi lại")
        GIVEN_UP = "given_up", _("Đã ngừng thử lại")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(_("người nhận"), max_length=254)
    event = models.CharField(_("sự kiện"), max_length=24, choices=Event.choices)
    data = models.JSONField(_("dữ liệu của mẫu"), default=dict, blank=True)
    subject = models.CharField(_("tiêu đề"), max_length=300, blank=True)
    text = models.TextField(_("nội dung"))
    zns_template_id = models.CharField(max_length=40, blank=True)
    dossier = models.ForeignKey(
        "dossiers.Dossier",
        verbose_name=_("hồ sơ"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
    )
    # Not indexed, like the agency below: events and agencies are never deleted, and nothing
    # looks messages up by them; each index is one more write per message queued.
    dossier_event = models.ForeignKey(
        "dossiers.DossierEvent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    feedback = models.ForeignKey(
        "portal.Feedback",
        verbose_name=_("phản ánh"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="messages",
    )
    # The agency the message is about (the dossier's receiving agency): counted per unit.
    agency = models.ForeignKey(
        "org.Agency",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    provider_id = models.CharField(_("mã của nhà cung cấp"), max_length=100, blank=True)
    answer = models.TextField(_("trả lời gần nhất của nhà cung cấp"), blank=True)
    reason = models.CharField(_("lý do"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sending_since = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("nhận lúc"), null=True, blank=True)
    seen_at = models.DateTimeField(_("xem lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("tin đã gửi")
        verbose_name_plural = _("hộp thư đi")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notify_msg_due"),
            models.Index(fields=["channel", "provider_id"], name="notify_msg_provider"),
            models.Index(fields=["created_at"], name="notify_msg_created"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.recipient} ({self.get_status_display()})"


class OptOut(models.Model):
    """A number (or Zalo user) that said "stop" to a channel: nothing more is sent there."""

    channel = models.CharField(_("kênh"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("số điện thoại / định danh"), max_length=254)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("từ chối nhận tin")
        verbose_name_plural = _("từ chối nhận tin")
        constraints = [
            models.UniqueConstraint(fields=["channel", "address"], name="notify_optout_once")
        ]

    def __str__(self):
        return f"{self.address} · {self.get_channel_display()}"


class LookupChannel(models.TextChoices):
    """Where a citizen asked where his dossier stands (kênh tra cứu)."""

    WEB = "web", _("Cổng dịch vụ công (web)")
    API = "api", _("API")
    SMS = "sms", _("Tin nhắn SMS")
    ZALO = "zalo", _("Zalo")
    HOTLINE = "hotline", _("Tổng đài")


class LookupCount(models.Model):
    """Lượt tra cứu: how many lookups one channel answered on one (local) day, for one agency,
    found or not. Written in batches by motcua.notify.tally, never once per request.

    agency_id is the found dossier's receiving agency, 0 when unknown (not found, or several
    dossiers at the hotline): a NULL would be distinct from every other NULL in the unique
    key, on SQLite and PostgreSQL alike, and the same key could then get two rows."""

    day = models.DateField(_("ngày"))
    channel = models.CharField(_("kênh"), max_length=10, choices=LookupChannel.choices)
    agency_id = models.IntegerField(_("cơ quan tiếp nhận"), default=0)
    found = models.BooleanField(_("tìm thấy hồ sơ"))
    count = models.PositiveIntegerField(_("số lượt"), default=0)

    class Meta:
        verbose_name = _("lượt tra cứu")
        verbose_name_plural = _("lượt tra cứu")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "channel", "agency_id", "found"], name="notify_lookup_key"
            )
        ]

    def __str__(self):
        return f"{self.day} {self.channel} {self.agency_id} {self.found}: {self.count}"
