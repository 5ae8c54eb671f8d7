"""What the public site keeps: citizens' profiles, ratings of finished dossiers, and feedback.

Rating criteria and their scale are rows, not code: a province changes them in the admin.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import Procedure
from motcua.dossiers.models import ApplicantKind, Dossier
from motcua.org.models import Agency


class CitizenProfile(models.Model):
    """Hồ sơ công dân: what a citizen account adds to its user; it prefills every dossier."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="citizen"
    )
    kind = models.PositiveSmallIntegerField(
        _("loại đối tượng"), choices=ApplicantKind.choices, default=ApplicantKind.PERSON
    )
    id_number = models.CharField(_("số định danh cá nhân / mã số thuế"), max_length=13, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    # Who vouches for this account: "" for a local account, else the OpenID Connect issuer.
    identity_provider = models.CharField(_("nhà cung cấp định danh"), max_length=200, blank=True)
    subject = models.CharField(_("mã định danh tại nhà cung cấp"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tài khoản công dân")
        verbose_name_plural = _("tài khoản công dân")
        constraints = [
            models.UniqueConstraint(
                fields=["identity_provider", "subject"],
                condition=~models.Q(subject=""),
                name="citizen_identity_unique",
            )
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def verified(self) -> bool:
        """Identity confirmed by a national identity provider, not only typed in."""
        return bool(self.identity_provider)


class RatingCriterion(models.Model):
    """Tiêu chí đánh giá: attitude, time, procedure, result by default."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên tiêu chí"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("tiêu chí đánh giá")
        verbose_name_plural = _("tiêu chí đánh giá")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        from django.utils.translation import get_language

        english = (get_language() or "").startswith("en")
        return self.name_en if english and self.name_en else self.name


class RatingLevel(models.Model):
    """Mức đánh giá: very satisfied / satisfied / not satisfied by default."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên mức"), max_length=100)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=100, blank=True)
    score = models.SmallIntegerField(_("điểm"), default=0)
    # A rating with any negative answer counts as negative feedback in the satisfaction index.
    is_negative = models.BooleanField(_("là không hài lòng"), default=False)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("mức đánh giá")
        verbose_name_plural = _("mức đánh giá")

    def __str__(self) -> str:
        return self.label

    label = RatingCriterion.label


class Rating(models.Model):
    """Đánh giá mức độ hài lòng: the applicant's rating of one finished dossier."""

    class Via(models.TextChoices):
        ACCOUNT = "account", _("Tài khoản công dân")
        LOOKUP = "lookup", _("Tra cứu bằng mã hồ sơ")

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="rating")
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(_("đánh giá qua"), max_length=10, choices=Via.choices)
    comment = models.TextField(_("ý kiến"), blank=True, max_length=2000)
    is_negative = models.BooleanField(_("không hài lòng"), default=False, db_index=True)
    at = models.DateTimeField(_("lúc"))

    class Meta:
        verbose_name = _("đánh giá")
        verbose_name_plural = _("đánh giá")

    def __str__(self) -> str:
        return f"{self.dossier}"


class RatingAnswer(models.Model):
    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey(RatingCriterion, on_delete=models.PROTECT)
    level = models.ForeignKey(RatingLevel, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rating", "criterion"], name="rating_answer_once")
        ]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.level}"


class Feedback(models.Model):
    """Phản ánh, kiến nghị: anyone's feedback or complaint about a procedure or an agency,
    answered by staff; the answer is published only when the sender allowed it."""

    class Kind(models.TextChoices):
        FEEDBACK = "feedback", _("Phản ánh")
        PROPOSAL = "proposal", _("Kiến nghị")
        COMPLAINT = "complaint", _("Khiếu nại về giải quyết hồ sơ")

    class State(models.TextChoices):
        NEW = "new", _("Chờ trả lời")
        ANSWERED = "answered", _("Đã trả lời")

    class Verdict(models.TextChoices):
        SATISFIED = "satisfied", _("Hài lòng")
        UNSATISFIED = "unsatisfied", _("Không hài lòng")

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("loại"), max_length=10, choices=Kind.choices, default=Kind.FEEDBACK)
    title = models.CharField(_("tiêu đề"), max_length=200)
    content = models.TextField(_("nội dung"), max_length=5000)
    procedure = models.ForeignKey(
        Procedure, verbose_name=_("thủ tục"), null=True, blank=True, on_delete=models.SET_NULL
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan"), null=True, blank=True, on_delete=models.PROTECT
    )
    dossier = models.ForeignKey(
        Dossier, verbose_name=_("hồ sơ"), null=True, blank=True, on_delete=models.SET_NULL
    )
    sender_name = models.CharField(_("họ tên người gửi"), max_length=150)
    sender_phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    sender_email = models.EmailField(_("thư điện tử"), blank=True)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    allow_publish = models.BooleanField(_("đồng ý công khai"), default=False)
    state = models.CharField(
        _("trạng thái"), max_length=10, choices=State.choices, default=State.NEW, db_index=True
    )
    answer = models.TextField(_("trả lời"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("trả lời lúc"), null=True, blank=True)
    created_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True, db_index=True)
    # The answer is due within 15 working days (Decision 766, indicator 5.2).
    due_at = models.DateTimeField(_("hạn trả lời"), null=True, blank=True)
    # The sender's judgement of the answer (indicator 5.3), given once.
    verdict = models.CharField(
        _("người gửi đánh giá trả lời"), max_length=12, choices=Verdict.choices, blank=True
    )
    verdict_at = models.DateTimeField(_("đánh giá lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")

    def __str__(self) -> str:
        return self.title

    @property
    def published(self) -> bool:
        return self.allow_publish and self.state == self.State.ANSWERED

    def permission_scope(self):
        """Answered where it is addressed: the agency named, else the province."""
        from motcua.org.permissions import PROVINCE_WIDE, scope_of

        return scope_of(self.agency if self.agency_id else PROVINCE_WIDE)
