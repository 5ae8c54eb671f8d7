"""Certificates made with `cryptography`: the development PKI of the demo province (a root CA,
an intermediate CA, signers' and seals' certificates, a timestamping certificate and CRLs), and
the same builders for the tests' own PKIs. Never used in production: a province installs the
certificates its CA issued (docs/operations.md, "Digital signatures").
"""

import datetime as dt
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

# RFC 9336 id-kp-documentSigning; Vietnamese CAs issue signing certificates with e-mail
# protection and, more and more, this purpose.
DOCUMENT_SIGNING = ObjectIdentifier("1.3.6.1.5.5.7.3.36")
KEY_BITS = 2048
UTC = dt.UTC
# Where certificates say their CA's CRL is. Validators check revocation only for certificates
# that declare it; motcua never fetches it (the .invalid domain cannot resolve): the CRL
# files sit beside the certificates.
CRL_BASE = "http://pki.motcua.invalid/"


@dataclass(frozen=True)
class Issued:
    """A certificate and its private key."""

    certificate: x509.Certificate
    key: rsa.RSAPrivateKey

    @property
    def serial_hex(self) -> str:
        return format(self.certificate.serial_number, "X")

    def certificate_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def key_pem(self) -> bytes:
        return self.key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def pkcs12(self, passphrase: bytes, chain: Iterable[x509.Certificate] = ()) -> bytes:
        """A PKCS#12 file as CAs deliver them: the key, its certificate and the CA chain."""
        name = self.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
        return pkcs12.serialize_key_and_certificates(
            name=name.encode(),
            key=self.key,
            cert=self.certificate,
            cas=list(chain) or None,
            encryption_algorithm=serialization.BestAvailableEncryption(passphrase),
        )


def new_key(bits: int = KEY_BITS) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def _name(**parts: str) -> x509.Name:
    oids = {
        "C": NameOID.COUNTRY_NAME,
        "L": NameOID.LOCALITY_NAME,
        "O": NameOID.ORGANIZATION_NAME,
        "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
        "T": NameOID.TITLE,
        "UID": NameOID.USER_ID,
        "E": NameOID.EMAIL_ADDRESS,
        "CN": NameOID.COMMON_NAME,
    }
    return x509.Name(
        [x509.NameAttribute(oids[key], value) for key, value in parts.items() if value]
    )


def _builder(subject: x509.Name, issuer: Issued | None, key, days: int, now: dt.datetime):
    issuer_name = issuer.certificate.subject if issuer else subject
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=days))
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
    )
    authority = issuer.key.public_key() if issuer else key.public_key()
    builder = builder.add_extension(
        x509.AuthorityKeyIdentifier.from_issuer_public_key(authority), False
    )
    if issuer is not None:
        is_root = issuer.certificate.subject == issuer.certificate.issuer
        url = CRL_BASE + ("root.crl" if is_root else "intermediate.crl")
        point = x509.DistributionPoint([x509.UniformResourceIdentifier(url)], None, None, None)
        builder = builder.add_extension(x509.CRLDistributionPoints([point]), False)
    return builder


def _usage(*, signing: bool, ca: bool = False, non_repudiation: bool = True) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signing,
        content_commitment=signing and non_repudiation,  # nonRepudiation
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def make_root(common_name: str, *, days: int = 3650, now: dt.datetime | None = None) -> Issued:
    now = now or dt.datetime.now(UTC)
    key = new_key()
    cert = (
        _builder(_name(C="VN", O=common_name, CN=common_name), None, key, days, now)
        .add_extension(x509.BasicConstraints(ca=True, path_length=1), True)
        .add_extension(_usage(signing=False, ca=True), True)
        .sign(key, hashes.SHA256())
    )
    return Issued(cert, key)


def make_intermediate(
    root: Issued, common_name: str, *, days: int = 1825, now: dt.datetime | None = None
) -> Issued:
    now = now or dt.datetime.now(UTC)
    key = new_key()
    cert = (
        _builder(_name(C="VN", O=common_name, CN=common_name), root, key, days, now)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
        .add_extension(_usage(signing=False, ca=True), True)
        .sign(root.key, hashes.SHA256())
    )
    return Issued(cert, key)


def issue_person(
    ca: Issued,
    *,
    full_name: str,
    title: str = "",
    agency_name: str = "",
    province: str = "",
    email: str = "",
    non_repudiation: bool = True,
    days: int = 730,
    now: dt.datetime | None = None,
) -> Issued:
    """A person's signing certificate: CN the full name, T the title, OU the agency."""
    now = now or dt.datetime.now(UTC)
    key = new_key()
    subject = _name(C="VN", L=province, O=province, OU=agency_name, T=title, CN=full_name, E=email)
    cert = (
        _builder(subject, ca, key, days, now)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
        .add_extension(_usage(signing=True, non_repudiation=non_repudiation), True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING]), False
        )
        .sign(ca.key, hashes.SHA256())
    )
    return Issued(cert, key)


def issue_seal(
    ca: Issued,
    *,
    agency_name: str,
    agency_code: str = "",
    province: str = "",
    days: int = 1095,
    now: dt.datetime | None = None,
) -> Issued:
    """An agency's own certificate ("chữ ký số của cơ quan"): CN and O the agency's name, UID
    its electronic identifier code."""
    now = now or dt.datetime.now(UTC)
    key = new_key()
    subject = _name(C="VN", L=province, O=agency_name, UID=agency_code, CN=agency_name)
    cert = (
        _builder(subject, ca, key, days, now)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
        .add_extension(_usage(signing=True), True)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION, DOCUMENT_SIGNING]), False
        )
        .sign(ca.key, hashes.SHA256())
    )
    return Issued(cert, key)


def issue_timestamping(
    ca: Issued, common_name: str, *, days: int = 1825, now: dt.datetime | None = None
) -> Issued:
    """The timestamp authority's certificate (RFC 3161 requires the critical EKU)."""
    now = now or dt.datetime.now(UTC)
    key = new_key()
    cert = (
        _builder(_name(C="VN", O=common_name, CN=common_name), ca, key, days, now)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
        .add_extension(_usage(signing=True), True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True)
        .sign(ca.key, hashes.SHA256())
    )
    return Issued(cert, key)


def make_crl(
    ca: Issued,
    revoked: Iterable[tuple[int, dt.datetime]] = (),
    *,
    days: int = 30,
    now: dt.datetime | None = None,
) -> x509.CertificateRevocationList:
    """A CRL of `ca` listing `revoked` (serial number, revocation time)."""
    now = now or dt.datetime.now(UTC)
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.certificate.subject)
        .last_update(now - dt.timedelta(minutes=5))
        .next_update(now + dt.timedelta(days=days))
        .add_extension(x509.CRLNumber(int(now.timestamp())), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()), False
        )
    )
    for serial, when in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder()
            .serial_number(serial)
            .revocation_date(when)
            .add_extension(x509.CRLReason(x509.ReasonFlags.key_compromise), False)
            .build()
        )
    return builder.sign(ca.key, hashes.SHA256())


# --- the development PKI on disk ---------------------------------------------------------


def _write(path: Path, data: bytes, *, private: bool = False) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(data)
    if private:
        tmp.chmod(0o600)
    tmp.replace(path)


def _load(cert_path: Path, key_path: Path) -> Issued:
    cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    return Issued(cert, key)


@dataclass(frozen=True)
class DevPki:
    """The files of a development PKI under one folder.

    root.pem, intermediate.pem, tsa.pem (certificates) with their .key.pem, root.crl and
    intermediate.crl (PEM), `passphrase` (of every PKCS#12 file) and signers/<name>.p12.
    """

    directory: Path

    @property
    def root_path(self) -> Path:
        return self.directory / "root.pem"

    @property
    def intermediate_path(self) -> Path:
        return self.directory / "intermediate.pem"

    @property
    def tsa_path(self) -> Path:
        return self.directory / "tsa.pem"

    @property
    def tsa_key_path(self) -> Path:
        return self.directory / "tsa.key.pem"

    @property
    def passphrase_path(self) -> Path:
        return self.directory / "passphrase"

    @property
    def crl_paths(self) -> list[Path]:
        return [self.directory / "root.crl", self.directory / "intermediate.crl"]

    def exists(self) -> bool:
        return self.root_path.exists() and self.intermediate_path.exists()

    def root(self) -> Issued:
        return _load(self.root_path, self.directory / "root.key.pem")

    def intermediate(self) -> Issued:
        return _load(self.intermediate_path, self.directory / "intermediate.key.pem")

    def tsa(self) -> Issued:
        return _load(self.tsa_path, self.tsa_key_path)

    def passphrase(self) -> bytes:
        return self.passphrase_path.read_bytes().strip()

    def signer_path(self, name: str) -> Path:
        return self.directory / "signers" / f"{name}.p12"

    def ensure(self, province: str) -> bool:
        """Create what is missing (CAs, TSA, passphrase) and refresh CRLs that are about to
        expire. Returns True when the CAs were created now."""
        created = False
        if not self.exists():
            label = province or "Tỉnh thử nghiệm"
            root = make_root(f"MOTCUA DEV ROOT CA — {label}")
            intermediate = make_intermediate(root, f"MOTCUA DEV SIGNING CA — {label}")
            tsa = issue_timestamping(intermediate, f"MOTCUA DEV TSA — {label}")
            for name, issued in (("root", root), ("intermediate", intermediate), ("tsa", tsa)):
                _write(self.directory / f"{name}.pem", issued.certificate_pem())
                _write(self.directory / f"{name}.key.pem", issued.key_pem(), private=True)
            created = True
        if not self.passphrase_path.exists():
            _write(self.passphrase_path, secrets.token_urlsafe(18).encode(), private=True)
        self.refresh_crls(force=created)
        return created

    def refresh_crls(
        self,
        *,
        force: bool = False,
        revoked: Iterable[int] = (),
        revoked_at: dt.datetime | None = None,
    ) -> None:
        """Issue both CRLs again when missing, due within a week, or `force`d. `revoked`
        serials join the intermediate's CRL (revoked `revoked_at`, default now); those it
        lists already stay, with their dates."""
        now = dt.datetime.now(UTC)
        listed: dict[int, dt.datetime] = {}
        intermediate_crl = self.crl_paths[1]
        due = True
        if intermediate_crl.exists():
            current = x509.load_pem_x509_crl(intermediate_crl.read_bytes())
            listed = {e.serial_number: e.revocation_date_utc for e in current}
            due = current.next_update_utc - now < dt.timedelta(days=7)
        new = {serial: revoked_at or now for serial in revoked if serial not in listed}
        if not (force or due or new):
            return
        listed.update(new)
        for path, ca, entries in (
            (self.crl_paths[0], self.root(), []),
            (intermediate_crl, self.intermediate(), sorted(listed.items())),
        ):
            crl = make_crl(ca, entries, now=now)
            _write(path, crl.public_bytes(serialization.Encoding.PEM))

    def write_signer(self, name: str, issued: Issued) -> Path:
        path = self.signer_path(name)
        data = issued.pkcs12(self.passphrase(), [self.intermediate().certificate])
        _write(path, data, private=True)
        return path
