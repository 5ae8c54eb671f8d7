"""Administrative units, agencies, divisions, people and the roles they hold."""

from datetime import date

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Tier(models.TextChoices):
    """Cấp hành chính."""

    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện")
    COMMUNE = "commune", _("Cấp xã")


class Unit(models.Model):
    """Đơn vị hành chính: a province, district or commune.

    A merger closes the old unit (`valid_to`) and names its `successor`; the row stays so that
    dossiers received by it keep pointing at it.
    """

    code = models.CharField(_("mã đơn vị"), max_length=20, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    tier = models.CharField(_("cấp"), max_length=10, choices=Tier.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("trực thuộc"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("hiệu lực từ"), default=date(2000, 1, 1))
    valid_to = models.DateField(_("hết hiệu lực"), null=True, blank=True)
    successor = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị kế thừa"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="predecessors",
    )
    working_periods = models.JSONField(
        _("giờ làm việc"),
        null=True,
        blank=True,
        help_text=_('Để trống để dùng giờ chung. Ví dụ: [["07:00", "11:30"], ["13:00", "17:00"]]'),
    )

    class Meta:
        ordering = ["tier", "name"]
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_range",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.parent_id:
            seen, node = {self.pk}, self.parent
            while node is not None:
                if node.pk in seen:
                    raise ValidationError({"parent": _("Đơn vị không thể trực thuộc chính nó.")})
                seen.add(node.pk)
                node = node.parent
        if self.working_periods:
            from motcua.core.calendar import parse_periods

            try:
                parse_periods(self.working_periods)
            except ValueError as exc:
                raise ValidationError({"working_periods": str(exc)}) from exc

    def is_active_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class Agency(models.Model):
    """Cơ quan: a body that handles procedures, identified by its electronic identifier code."""

    class Kind(models.TextChoices):
        PEOPLES_COMMITTEE = "ubnd", _("Ủy ban nhân dân")
        DEPARTMENT = "department", _("Sở, ngành")
        OFFICE = "office", _("Phòng chuyên môn")
        ONE_STOP = "one_stop", _("Bộ phận Một cửa")
        SERVICE_CENTER = "service_center", _("Trung tâm Phục vụ hành chính công")
        BRANCH = "branch", _("Chi nhánh, đơn vị trực thuộc")
        OTHER = "other", _("Khác")

    code = models.CharField(
        _("mã định danh"),
        max_length=40,
        unique=True,
        help_text=_("Mã định danh điện tử của cơ quan, ví dụ 000.00.12.H39."),
    )
    name = models.CharField(_("tên"), max_length=255)
    short_name = models.CharField(
        _("tên viết tắt"),
        max_length=40,
        blank=True,
        help_text=_("Dùng trong số văn bản: UBND, STP…"),
    )
    kind = models.CharField(_("loại"), max_length=20, choices=Kind.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("đơn vị hành chính"), on_delete=models.PROTECT, related_name="agencies"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("cơ quan cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=40, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    valid_from = models.DateField(_("hiệu lực từ"), default=date(2000, 1, 1))
    valid_to = models.DateField(_("hết hiệu lực"), null=True, blank=True)

    class Meta:
        ordering = ["unit__tier", "name"]
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")

    def __str__(self) -> str:
        return self.name


class Division(models.Model):
    """Phòng ban, bộ phận: part of an agency that does a step of a process."""

    agency = models.ForeignKey(
        Agency, verbose_name=_("cơ quan"), on_delete=models.CASCADE, related_name="divisions"
    )
    code = models.SlugField(
        _("mã"), max_length=40, help_text=_("Mã dùng trong quy trình, ví dụ: mot-cua, tu-phap.")
    )
    name = models.CharField(_("tên"), max_length=200)

    class Meta:
        ordering = ["agency", "name"]
        verbose_name = _("phòng ban, bộ phận")
        verbose_name_plural = _("phòng ban, bộ phận")
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="division_code_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.agency.short_name or self.agency.name}"


class User(AbstractUser):
    """A person who signs in: an officer (is_staff) or, later, a citizen account."""

    full_name = models.CharField(_("họ và tên"), max_length=150, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan công tác"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    division = models.ForeignKey(
        Division,
        verbose_name=_("phòng ban"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
    )
    job_title = models.CharField(_("chức vụ"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("người dùng")
        verbose_name_plural = _("người dùng")

    def __str__(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        if self.division_id and self.division.agency_id != self.agency_id:
            raise ValidationError({"division": _("Phòng ban phải thuộc cơ quan công tác.")})


class Role(models.TextChoices):
    """Vai trò của cán bộ."""

    RECEPTION_OFFICER = "reception_officer", _("Cán bộ tiếp nhận (Một cửa)")
    SPECIALIST = "specialist", _("Chuyên viên xử lý")
    DIVISION_HEAD = "division_head", _("Lãnh đạo phòng")
    AGENCY_LEADER = "agency_leader", _("Lãnh đạo cơ quan")
    CLERK = "clerk", _("Văn thư")
    MEETING_SECRETARY = "meeting_secretary", _("Thư ký cuộc họp")
    SUPERVISOR = "supervisor", _("Giám sát, theo dõi")
    ADMINISTRATOR = "administrator", _("Quản trị")
    # Answers citizens' calls: finds a dossier and tells its progress; acts on none.
    HOTLINE_OPERATOR = "hotline_operator", _("Tổng đài viên")


class RoleAssignment(models.Model):
    """A role held by one person within exactly one scope: an agency or a whole unit.

    A unit scope covers the unit and every unit below it (a district supervisor sees its
    communes); an agency scope covers that agency and the agencies under it.
    """

    user = models.ForeignKey(
        User, verbose_name=_("cán bộ"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices)
    agency = models.ForeignKey(
        Agency, verbose_name=_("trong cơ quan"), null=True, blank=True, on_delete=models.CASCADE
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("trong đơn vị"), null=True, blank=True, on_delete=models.CASCADE
    )
    division = models.ForeignKey(
        Division,
        verbose_name=_("phòng ban"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Chỉ khi vai trò gắn với một phòng ban (lãnh đạo phòng, chuyên viên)."),
    )
    valid_from = models.DateField(_("từ ngày"), default=date.today)
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)

    class Meta:
        verbose_name = _("phân quyền")
        verbose_name_plural = _("phân quyền")
        constraints = [
            models.CheckConstraint(
                condition=(Q(agency__isnull=False) & Q(unit__isnull=True))
                | (Q(agency__isnull=True) & Q(unit__isnull=False)),
                name="role_scope_is_agency_xor_unit",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "agency", "unit", "division"], name="role_assignment_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.agency or self.unit}"

    def clean(self) -> None:
        if bool(self.agency_id) == bool(self.unit_id):
            raise ValidationError(_("Chọn đúng một phạm vi: một cơ quan hoặc một đơn vị."))
        if self.division_id and self.division.agency_id != self.agency_id:
            raise ValidationError({"division": _("Phòng ban phải thuộc cơ quan đã chọn.")})
