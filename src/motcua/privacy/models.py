"""The record of staff reads of personal data (nhật ký truy cập dữ liệu cá nhân)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.models import Dossier, DossierFile
from motcua.org.models import Agency


class Purpose(models.TextChoices):
    """Why the data was read: the page or the work that showed it."""

    DOSSIER_PAGE = "dossier_page", _("Xem trang hồ sơ")
    FILE = "file", _("Mở tệp hồ sơ")
    FORM = "form", _("In biểu mẫu, phiếu của hồ sơ")
    EXPORT = "export", _("Xuất danh sách hồ sơ có thông tin người nộp")
    API = "api", _("Đọc hồ sơ qua API")
    COUNTER_LOOKUP = "counter_lookup", _("Điền sẵn thông tin người nộp tại quầy")
    SUBJECT_EXPORT = "subject_export", _("Trích xuất dữ liệu theo yêu cầu của chủ thể dữ liệu")
    HOTLINE = "hotline", _("Tổng đài tra cứu")
    HOTLINE_LINK = "hotline_link", _("Tổng đài gửi đường dẫn tra cứu")


class PersonalDataAccess(models.Model):
    """Lượt truy cập dữ liệu cá nhân: one read by an officer of a person's data.

    Who (with the name, agency and roles as they were, so the line still reads right after a
    transfer), when, from which address, why (the purpose and the page), and which dossier or
    file. A list or export is one line naming every dossier it showed with personal data.
    Append-only; removed only by the retention command when its period ends.
    """

    at = models.DateTimeField(_("lúc"), db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cán bộ"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user_name = models.CharField(_("họ tên cán bộ"), max_length=200)
    job_title = models.CharField(_("chức vụ"), max_length=120, blank=True)
    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    roles = models.CharField(_("vai trò"), max_length=300, blank=True)
    purpose = models.CharField(_("mục đích"), max_length=20, choices=Purpose.choices)
    path = models.CharField(_("trang"), max_length=300, blank=True)
    address = models.GenericIPAddressField(_("địa chỉ IP"), null=True, blank=True)
    dossier = models.ForeignKey(
        Dossier, verbose_name=_("hồ sơ"), null=True, on_delete=models.CASCADE, related_name="+"
    )
    file = models.ForeignKey(
        DossierFile, verbose_name=_("tệp"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The person whose data was read, when the read was about the person (a data-subject
    # export), not about one dossier.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chủ thể dữ liệu"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dossiers = models.ManyToManyField(
        Dossier, verbose_name=_("các hồ sơ trong danh sách"), blank=True, related_name="+"
    )
    count = models.PositiveIntegerField(_("số hồ sơ"), default=1)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("lượt truy cập dữ liệu cá nhân")
        verbose_name_plural = _("nhật ký truy cập dữ liệu cá nhân")
        indexes = [
            models.Index(fields=["dossier", "at"], name="access_dossier_at_idx"),
            models.Index(fields=["user", "at"], name="access_user_at_idx"),
            models.Index(fields=["agency", "at"], name="access_agency_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.user_name} · {self.get_purpose_display()}"
