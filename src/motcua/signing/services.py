"""Writes: installing a person's or an agency's signing key, refreshing its certificate,
retiring it; and, in development, the demo PKI with a key for every leader and a seal for
every agency."""

from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from motcua.org.models import Agency, Role, User
from motcua.org.permissions import require

from . import certs, conf, pki
from .keys import key_source
from .models import KeyKind, SigningIdentity
from .permissions import MANAGE_SIGNING
from .stamp import seal_png

# The roles that approve results, and so sign them.
SIGNING_ROLES = (Role.AGENCY_LEADER, Role.DIVISION_HEAD)


def _cache_certificate(identity: SigningIdentity, certificate) -> None:
    info = certs.check_can_sign(certificate)
    identity.certificate_pem = certs.pem_of(certificate)
    identity.certificate_serial = info.serial
    identity.certificate_subject = info.subject[:500]
    identity.certificate_issuer = info.issuer[:500]
    identity.valid_from = info.not_before
    identity.valid_to = info.not_after


def signing_identity_register(
    *,
    kind: str,
    config: dict,
    user: User | None = None,
    agency: Agency | None = None,
    label: str = "",
    stamp_image: bytes | None = None,
    actor: User | None = None,
) -> SigningIdentity:
    """Install the key of `user` or the seal of `agency`, replacing the active one.

    The certificate is read through the key itself (so its secret must already be set on
    the server) and refused (CertificateRefused) when it may not sign documents; a bad
    configuration raises KeyConfigurationError. `actor`, when given, must administer the
    agency.
    """
    if (user is None) == (agency is None):
        raise ValueError("exactly one of user and agency")
    identity = SigningIdentity(user=user, agency=agency, kind=kind, config=config, label=label)
    if actor is not None:
        require(actor, MANAGE_SIGNING, identity)
    certificate = key_source(kind, config).certificate()
    _cache_certificate(identity, certificate)
    with transaction.atomic():
        SigningIdentity.objects.filter(
            user=user, agency=agency, active=True
        ).select_for_update().update(active=False)
        if stamp_image is not None:
            owner = agency.code if agency else f"user-{user.pk}"
            identity.stamp_image.save(f"{owner}.png", ContentFile(stamp_image), save=False)
        identity.save()
    return identity


def signing_identity_update(
    *, identity: SigningIdentity, actor: User | None = None
) -> SigningIdentity:
    """Save an edited identity (configuration, label, image, active) with its certificate read
    again through the key — renewed on the token or by the remote service — and checked;
    making it active retires the owner's other one."""
    if actor is not None:
        require(actor, MANAGE_SIGNING, identity)
    _cache_certificate(identity, identity.key_source().certificate())
    with transaction.atomic():
        if identity.active:
            SigningIdentity.objects.filter(
                user=identity.user, agency=identity.agency, active=True
            ).exclude(pk=identity.pk).update(active=False)
        identity.save()
    return identity


def signing_identity_retire(*, identity: SigningIdentity, actor: User | None = None) -> None:
    """Stop using a key (lost token, person left): it signs nothing more."""
    if actor is not None:
        require(actor, MANAGE_SIGNING, identity)
    SigningIdentity.objects.filter(pk=identity.pk).update(active=False)
    identity.active = False


# --- development ---------------------------------------------------------------------------


@dataclass
class DevPkiReport:
    directory: Path
    created_cas: bool
    people: int
    seals: int


def _config_path(path: Path) -> str:
    """Relative to KEY_DIR when the file is under it (the data stays valid if var/ moves)."""
    key_dir = Path(conf.option("KEY_DIR")).resolve()
    try:
        return str(path.resolve().relative_to(key_dir))
    except ValueError:
        return str(path.resolve())


def signing_dev_pki_install(*, directory: Path | None = None, province: str = "") -> DevPkiReport:
    """Make the demo PKI (idempotent) and a PKCS#12 key for every leader and every agency
    that has none, with a drawn seal image per agency. Refused in production."""
    if conf.production():
        raise ImproperlyConfigured(
            _(
                "MOTCUA_ENV=production: không tạo hạ tầng khóa thử nghiệm. Tỉnh cài chứng thư số "
                "do tổ chức chứng thực cấp (docs/operations.md, mục Ký số)."
            )
        )
    from motcua.org.selectors import province_name

    dev = pki.DevPki(Path(directory or conf.option("DEV_PKI_DIR")))
    province = province or province_name()
    created = dev.ensure(province)
    ca = dev.intermediate()
    passphrase = {"passphrase_file": _config_path(dev.passphrase_path)}
    people = seals = 0
    signers = (
        User.objects.filter(is_active=True, role_assignments__role__in=SIGNING_ROLES)
        .exclude(signing_identities__active=True)
        .select_related("agency")
        .distinct()
    )
    for user in signers:
        name = user.full_name or user.get_full_name() or user.username
        issued = pki.issue_person(
            ca,
            full_name=name,
            title=user.job_title,
            agency_name=user.agency.name if user.agency else "",
            province=province,
            email=user.email,
        )
        path = dev.write_signer(f"user-{user.username}", issued)
        SigningIdentity.objects.create(
            user=user,
            kind=KeyKind.PKCS12,
            config={"path": _config_path(path), **passphrase},
            label=_("Chữ ký số thử nghiệm của %(name)s") % {"name": name},
            **_certificate_fields(issued),
        )
        people += 1
    for agency in Agency.objects.exclude(signing_identities__active=True).order_by("pk"):
        issued = pki.issue_seal(
            ca, agency_name=agency.name, agency_code=agency.code, province=province
        )
        path = dev.write_signer(f"seal-{agency.code}", issued)
        identity = SigningIdentity(
            agency=agency,
            kind=KeyKind.PKCS12,
            config={"path": _config_path(path), **passphrase},
            label=_("Chữ ký số thử nghiệm của %(agency)s") % {"agency": agency.name},
            **_certificate_fields(issued),
        )
        image = seal_png(agency.name, center=agency.short_name)
        identity.stamp_image.save(f"{agency.code}.png", ContentFile(image), save=False)
        identity.save()
        seals += 1
    return DevPkiReport(dev.directory, created, people, seals)


def _certificate_fields(issued: pki.Issued) -> dict:
    info = certs.describe(issued.certificate)
    return {
        "certificate_pem": issued.certificate_pem().decode(),
        "certificate_serial": info.serial,
        "certificate_subject": info.subject[:500],
        "certificate_issuer": info.issuer[:500],
        "valid_from": info.not_before,
        "valid_to": info.not_after,
    }
