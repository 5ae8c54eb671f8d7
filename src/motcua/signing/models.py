"""Signing identities: where the key of a person (a leader) or of an agency's seal is, and the
certificate it holds (cached, so that pages can show it without opening the key)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from motcua.org.models import Agency, User


class KeyKind(models.TextChoices):
    PKCS12 = "pkcs12", _("Tệp PKCS#12 trên máy chủ")
    PKCS11 = "pkcs11", _("Thiết bị ký số PKCS#11 (USB token, HSM)")
    CSC = "csc", _("Dịch vụ ký số từ xa (CSC API v2)")


class SigningIdentity(models.Model):
    """Khóa ký số: one person's key, or an agency's own ("chữ ký số của cơ quan", the seal).

    Exactly one of `user` and `agency` is set. `config` says where the key is for its `kind`
    (see motcua.signing.keys) and never holds a secret: passphrases, PINs and tokens come from
    the environment variables it names. At most one active identity per person and per seal.
    """

    user = models.ForeignKey(
        User,
        verbose_name=_("người ký"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="signing_identities",
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan (chữ ký số của cơ quan)"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="signing_identities",
    )
    kind = models.CharField(_("loại khóa"), max_length=10, choices=KeyKind.choices)
    config = models.JSONField(
        _("cấu hình"),
        default=dict,
        blank=True,
        help_text=_(
            'Ví dụ: {"path": "seals/stp.p12", "passphrase_env": "MOTCUA_SEAL_STP_PASSPHRASE"}. '
            "Không ghi mật khẩu, PIN hay token: chỉ ghi tên biến môi trường chứa chúng."
        ),
    )
    label = models.CharField(_("tên gọi"), max_length=200, blank=True)
    certificate_pem = models.TextField(_("chứng thư số (PEM)"), blank=True)
    certificate_serial = models.CharField(_("số hiệu chứng thư"), max_length=80, blank=True)
    certificate_subject = models.CharField(_("chủ thể chứng thư"), max_length=500, blank=True)
    certificate_issuer = models.CharField(_("tổ chức cấp"), max_length=500, blank=True)
    valid_from = models.DateTimeField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateTimeField(_("hết hiệu lực"), null=True, blank=True)
    stamp_image = models.FileField(
        _("hình ảnh con dấu"),
        upload_to="signing/stamps/",
        blank=True,
        help_text=_("Ảnh PNG nền trong suốt, màu đỏ, của con dấu cơ quan (Nghị định 30/2020)."),
    )
    active = models.BooleanField(_("đang dùng"), default=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("khóa ký số")
        verbose_name_plural = _("khóa ký số")
        ordering = ["agency__name", "user__full_name", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(agency__isnull=True))
                | (Q(user__isnull=True) & Q(agency__isnull=False)),
                name="signing_identity_user_xor_agency",
            ),
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(active=True, user__isnull=False),
                name="signing_identity_one_active_per_user",
            ),
            models.UniqueConstraint(
                fields=["agency"],
                condition=Q(active=True, agency__isnull=False),
                name="signing_identity_one_active_seal_per_agency",
            ),
        ]

    def __str__(self) -> str:
        owner = self.user or self.agency
        return self.label or f"{owner} — {self.get_kind_display()}"

    @property
    def is_seal(self) -> bool:
        return self.agency_id is not None

    def owner_agency(self) -> Agency | None:
        return self.agency if self.agency_id else (self.user.agency if self.user_id else None)

    def permission_scope(self):
        from motcua.org.permissions import Scope

        agency = self.owner_agency()
        return Scope(unit_id=agency.unit_id, agency_id=agency.pk) if agency else Scope()

    def key_source(self):
        """The plugin that opens this key (motcua.signing.keys)."""
        from .keys import key_source

        return key_source(self.kind, self.config)

    def clean(self) -> None:
        if bool(self.user_id) == bool(self.agency_id):
            raise ValidationError(_("Chọn đúng một: người ký hoặc cơ quan."))
        from .errors import KeyConfigurationError

        try:
            self.key_source()
        except KeyConfigurationError as exc:
            raise ValidationError({"config": str(exc)}) from exc
