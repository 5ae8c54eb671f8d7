"""Certificates as people read them (name, organisation, title, serial, validity) and the
check that one may sign documents: digital signature and non-repudiation key usage, in its
validity period, not a CA."""

import datetime as dt
from dataclasses import asdict, dataclass

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID
from django.utils.translation import gettext as _

from .errors import CertificateRefused

_SHORT = [
    (NameOID.COMMON_NAME, "CN"),
    (NameOID.TITLE, "T"),
    (NameOID.ORGANIZATIONAL_UNIT_NAME, "OU"),
    (NameOID.ORGANIZATION_NAME, "O"),
    (NameOID.USER_ID, "UID"),
    (NameOID.LOCALITY_NAME, "L"),
    (NameOID.STATE_OR_PROVINCE_NAME, "ST"),
    (NameOID.COUNTRY_NAME, "C"),
    (NameOID.EMAIL_ADDRESS, "E"),
]


def to_cryptography(cert) -> x509.Certificate:
    if isinstance(cert, x509.Certificate):
        return cert
    if isinstance(cert, asn1_x509.Certificate):
        return x509.load_der_x509_certificate(cert.dump())
    return load_certificates(cert, as_asn1=False)[0]


def to_asn1(cert) -> asn1_x509.Certificate:
    if isinstance(cert, asn1_x509.Certificate):
        return cert
    if isinstance(cert, x509.Certificate):
        return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    return load_certificates(cert)[0]


def load_certificates(data: bytes | str, *, as_asn1: bool = True) -> list:
    """Every certificate in PEM text (one or many) or one DER certificate."""
    if isinstance(data, str):
        data = data.encode()
    if pem.detect(data):
        ders = [
            der for kind, _headers, der in pem.unarmor(data, multiple=True) if kind == "CERTIFICATE"
        ]
    else:
        ders = [data]
    if as_asn1:
        return [asn1_x509.Certificate.load(der) for der in ders]
    return [x509.load_der_x509_certificate(der) for der in ders]


def crl_der(data: bytes) -> bytes:
    if pem.detect(data):
        return pem.unarmor(data)[2]
    return data


def pem_of(cert) -> str:
    return to_cryptography(cert).public_bytes(serialization.Encoding.PEM).decode()


def _attr(name: x509.Name, oid) -> str:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else ""


def name_text(name: x509.Name) -> str:
    """A distinguished name most-specific first, as Vietnamese CAs print it: CN=…, O=…, C=VN."""
    parts = []
    for oid, short in _SHORT:
        parts += [f"{short}={a.value}" for a in name.get_attributes_for_oid(oid)]
    return ", ".join(parts)


@dataclass(frozen=True)
class CertificateInfo:
    common_name: str
    organization: str
    unit: str
    title: str
    subject: str
    issuer: str
    serial: str  # upper-case hexadecimal, as certificate viewers show it
    not_before: dt.datetime
    not_after: dt.datetime
    digital_signature: bool
    non_repudiation: bool
    is_ca: bool

    def as_dict(self) -> dict:
        data = asdict(self)
        data["not_before"] = self.not_before.isoformat()
        data["not_after"] = self.not_after.isoformat()
        return data


def describe(cert) -> CertificateInfo:
    c = to_cryptography(cert)
    try:
        usage = c.extensions.get_extension_for_class(x509.KeyUsage).value
        digital, non_rep = usage.digital_signature, usage.content_commitment
    except x509.ExtensionNotFound:
        digital = non_rep = False
    try:
        is_ca = c.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    return CertificateInfo(
        common_name=_attr(c.subject, NameOID.COMMON_NAME),
        organization=_attr(c.subject, NameOID.ORGANIZATION_NAME),
        unit=_attr(c.subject, NameOID.ORGANIZATIONAL_UNIT_NAME),
        title=_attr(c.subject, NameOID.TITLE),
        subject=name_text(c.subject),
        issuer=name_text(c.issuer),
        serial=format(c.serial_number, "X"),
        not_before=c.not_valid_before_utc,
        not_after=c.not_valid_after_utc,
        digital_signature=digital,
        non_repudiation=non_rep,
        is_ca=is_ca,
    )


def check_can_sign(cert, *, now: dt.datetime | None = None) -> CertificateInfo:
    """The certificate's description, or CertificateRefused saying why it may not sign."""
    info = describe(cert)
    now = now or dt.datetime.now(dt.UTC)
    who = info.common_name or info.subject
    if info.is_ca:
        raise CertificateRefused(
            _("Chứng thư số “%(who)s” là của một tổ chức chứng thực, không dùng để ký văn bản.")
            % {"who": who}
        )
    if not info.non_repudiation or not info.digital_signature:
        raise CertificateRefused(
            _(
                "Chứng thư số “%(who)s” (số hiệu %(serial)s) không có mục đích ký số và chống "
                "chối bỏ (digitalSignature, nonRepudiation): không dùng để ký văn bản được. "
                "Hãy dùng chứng thư số ký văn bản do tổ chức chứng thực cấp."
            )
            % {"who": who, "serial": info.serial}
        )
    if now < info.not_before:
        raise CertificateRefused(
            _("Chứng thư số “%(who)s” chưa có hiệu lực (từ %(start)s).")
            % {"who": who, "start": info.not_before.strftime("%d/%m/%Y")}
        )
    if now > info.not_after:
        raise CertificateRefused(
            _(
                "Chứng thư số “%(who)s” đã hết hạn ngày %(end)s: hãy gia hạn hoặc dùng chứng thư mới."
            )
            % {"who": who, "end": info.not_after.strftime("%d/%m/%Y")}
        )
    return info
