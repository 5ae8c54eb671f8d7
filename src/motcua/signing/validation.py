"""Checking the signatures of a PDF that comes in (a citizen's, an officer's or another
system's upload) with pyHanko, against the configured trust roots and offline revocation data
only (the document's DSS, CRL files of the settings): nothing is fetched from the network.

    result = validate_pdf(data)
    result.status   # "valid" | "invalid" | "untrusted" | "modified" | "none" | "unreadable"
    result.summary  # one line in Vietnamese
    result.as_dict()

Never raises: a file that is not a PDF, empty, encrypted, too large or broken gets status
"unreadable" and a message saying so. Bounded: a size limit, a number of signatures and a
time budget (settings VALIDATE_MAX_MB, VALIDATE_MAX_SIGNATURES, VALIDATE_SECONDS).
"""

import contextlib
import hashlib
import io
import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from . import aio, certs, conf
from .errors import KeyConfigurationError

logger = logging.getLogger(__name__)

VALID, INVALID, UNTRUSTED, MODIFIED, NONE, UNREADABLE = (
    "valid",
    "invalid",
    "untrusted",
    "modified",
    "none",
    "unreadable",
)
# The worst signature decides the document's status.
SEVERITY = {VALID: 0, UNTRUSTED: 1, MODIFIED: 2, INVALID: 3}


@dataclass
class SignatureCheck:
    """One signature of the document."""

    field_name: str
    status: str
    summary: str
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    coverage: str = "unknown"  # "whole": the whole document as it is now; "partial": not
    modified_after_signing: bool = False
    signer_name: str = ""
    signer_organization: str = ""  # O
    signer_unit: str = ""  # OU
    signer_title: str = ""  # T
    subject: str = ""
    issuer: str = ""
    certificate_serial: str = ""
    signing_time: datetime | None = None
    time_from_timestamp: bool = False
    revocation: str = "unknown"  # "good" | "revoked" | "unknown"
    revoked_at: datetime | None = None
    level: str = ""  # PAdES baseline level found: B-B, B-T, B-LT, B-LTA
    problems: list[str] = field(default_factory=list)


@dataclass
class Validation:
    """The document's verdict and each signature's details."""

    status: str
    summary: str
    sha256: str = ""
    size: int = 0
    signatures: list[SignatureCheck] = field(default_factory=list)
    document_timestamps: int = 0
    message: str = ""  # why a file could not be read

    @property
    def signed(self) -> bool:
        return bool(self.signatures)

    def as_dict(self) -> dict:
        def plain(value):
            if isinstance(value, datetime):
                return value.isoformat()
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list):
                return [plain(v) for v in value]
            return value

        return plain(asdict(self))


def _unreadable(message: str, data: bytes | None = None) -> Validation:
    return Validation(
        status=UNREADABLE,
        summary=message,
        message=message,
        sha256=hashlib.sha256(data).hexdigest() if data else "",
        size=len(data or b""),
    )


def validate_pdf(data: bytes, trust_roots=None) -> Validation:
    """Check every signature of `data`. `trust_roots`: certificates (PEM/DER bytes,
    cryptography or asn1crypto objects) replacing the configured ones."""
    started = time.monotonic()
    try:
        data = bytes(data or b"")
    except TypeError:
        return _unreadable(_("Không đọc được tệp."))
    if not data:
        return _unreadable(_("Tệp rỗng (0 byte): không có chữ ký nào để kiểm tra."))
    limit_mb = int(conf.option("VALIDATE_MAX_MB"))
    if len(data) > limit_mb * 1024 * 1024:
        return _unreadable(
            _("Tệp quá lớn để kiểm tra chữ ký số (tối đa %(mb)s MB).") % {"mb": limit_mb}, data
        )
    if b"%PDF-" not in data[:1024]:
        return _unreadable(_("Tệp không phải là tệp PDF: không kiểm tra được chữ ký số."), data)
    try:
        return _validate(data, trust_roots, started)
    except Exception as exc:  # a broken file must never break the upload
        logger.info("PDF signatures not checked: %s: %s", type(exc).__name__, exc)
        logger.debug("PDF signature validation failed", exc_info=True)
        return _unreadable(_("Không đọc được tệp PDF (tệp hỏng hoặc không đúng chuẩn)."), data)


def _roots(trust_roots) -> list:
    if trust_roots is None:
        return conf.trust_roots()
    roots = []
    for root in trust_roots:
        if isinstance(root, bytes | str):
            roots.extend(certs.load_certificates(root))
        else:
            roots.append(certs.to_asn1(root))
    return roots


def _validate(data: bytes, trust_roots, started: float) -> Validation:
    from pyhanko.pdf_utils.reader import PdfFileReader

    sha256 = hashlib.sha256(data).hexdigest()
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    if reader.encrypted:
        try:
            opened = reader.decrypt(b"")  # "encrypted" only against changes: no password
        except Exception:
            opened = None
        if opened is None or opened.status.name == "FAILED":
            return _unreadable(
                _("Tệp PDF có mật khẩu (được mã hóa): không kiểm tra được chữ ký số."), data
            )
    embedded = reader.embedded_signatures
    signatures = [s for s in embedded if s.sig_object_type == "/Sig"]
    stamps = len(embedded) - len(signatures)
    if not signatures:
        return Validation(
            status=NONE,
            summary=_("Tệp không có chữ ký số."),
            sha256=sha256,
            size=len(data),
            document_timestamps=stamps,
        )
    dss_certs, dss_crls, dss_ocsps = _dss_contents(reader)
    try:
        roots = _roots(trust_roots)
    except KeyConfigurationError as exc:
        # The server's set-up, not the file: nothing can be trusted until it is fixed.
        logger.error("signing trust roots unreadable: %s", exc)
        roots = []
    crls = [*conf.crls(), *dss_crls]
    budget = float(conf.option("VALIDATE_SECONDS"))
    limit = int(conf.option("VALIDATE_MAX_SIGNATURES"))
    checks = []
    for index, signature in enumerate(signatures):
        if index >= limit or time.monotonic() - started > budget:
            checks.append(
                SignatureCheck(
                    field_name=str(signature.field_name or ""),
                    status=UNTRUSTED,
                    summary=_("Chưa kiểm tra: tệp có quá nhiều chữ ký hoặc quá lâu để kiểm tra."),
                )
            )
            continue
        checks.append(
            _check(
                signature,
                roots,
                [*conf.extra_certificates(), *dss_certs],
                crls,
                dss_ocsps,
                has_dss=bool(dss_crls or dss_ocsps or dss_certs),
                later_stamps=stamps,
            )
        )
    status = max((c.status for c in checks), key=SEVERITY.__getitem__)
    return Validation(
        status=status,
        summary=_document_summary(status, checks),
        sha256=sha256,
        size=len(data),
        signatures=checks,
        document_timestamps=stamps,
    )


def _dss_contents(reader) -> tuple[list, list, list]:
    """Certificates, CRLs and OCSP responses of the document's DSS (B-LT and later)."""
    from asn1crypto import crl as asn1_crl
    from asn1crypto import ocsp as asn1_ocsp
    from pyhanko.pdf_utils.decode_limits import DecodePurpose
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except Exception:  # no DSS (B-B, B-T) or an unreadable one: no embedded data
        return [], [], []
    found_certs, found_crls, found_ocsps = [], [], []
    with contextlib.suppress(Exception):
        found_certs = list(dss.load_certs())
    for ref in dss.crls:
        with contextlib.suppress(Exception):
            data = ref.get_object().read_data(DecodePurpose.CRL)
            found_crls.append(asn1_crl.CertificateList.load(data))
    for ref in dss.ocsps:
        with contextlib.suppress(Exception):
            data = ref.get_object().read_data(DecodePurpose.OCSP_RESPONSE)
            found_ocsps.append(asn1_ocsp.OCSPResponse.load(data))
    return found_certs, found_crls, found_ocsps


def _context(roots, other_certs, crls, ocsps):
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.registry import SimpleTrustManager

    return ValidationContext(
        trust_manager=SimpleTrustManager.build(trust_roots=roots),
        other_certs=other_certs,
        crls=crls,
        ocsps=ocsps,
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def _revocation_known(cert, crls, ocsps) -> bool:
    """Whether offline data speaks of `cert`: a CRL of its issuer or an OCSP answer about it."""
    from asn1crypto import crl as asn1_crl
    from asn1crypto import ocsp as asn1_ocsp

    for raw in crls:
        try:
            item = (
                raw
                if isinstance(raw, asn1_crl.CertificateList)
                else asn1_crl.CertificateList.load(raw)
            )
            if item.issuer == cert.issuer:
                return True
        except Exception:
            continue
    for raw in ocsps:
        try:
            item = (
                raw if isinstance(raw, asn1_ocsp.OCSPResponse) else asn1_ocsp.OCSPResponse.load(raw)
            )
            for single in item.basic_ocsp_response["tbs_response_data"]["responses"]:
                if single["cert_id"]["serial_number"].native == cert.serial_number:
                    return True
        except Exception:
            continue
    return False


def _check(signature, roots, other_certs, crls, ocsps, *, has_dss, later_stamps) -> SignatureCheck:
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    field_name = str(signature.field_name or "")
    cert = signature.signer_cert
    info = certs.describe(cert)
    base = {
        "field_name": field_name,
        "signer_name": info.common_name,
        "signer_organization": info.organization,
        "signer_unit": info.unit,
        "signer_title": info.title,
        "subject": info.subject,
        "issuer": info.issuer,
        "certificate_serial": info.serial,
    }
    try:
        status = aio.run(
            async_validate_pdf_signature(signature, _context(roots, other_certs, crls, ocsps))
        )
    except SignatureValidationError as exc:
        return SignatureCheck(
            **base,
            status=INVALID,
            summary=_("Chữ ký số không hợp lệ: %(reason)s") % {"reason": exc},
            problems=[str(exc)],
        )
    coverage_level = status.coverage
    whole = coverage_level == SignatureCoverageLevel.ENTIRE_FILE
    modified = False
    if coverage_level == SignatureCoverageLevel.ENTIRE_REVISION:
        # Later revisions: allowed ones are validation data, timestamps, other signatures.
        modified = status.docmdp_ok is False or _suspicious(status)
        whole = not modified
    elif not whole:
        modified = True
    tst = status.timestamp_validity
    if tst is not None and tst.intact and tst.valid:
        signing_time, from_timestamp = tst.timestamp, True
    else:
        signing_time, from_timestamp = status.signer_reported_dt, False
    if status.revoked:
        revocation = "revoked"
    elif _revocation_known(cert, crls, ocsps):
        revocation = "good"
    else:
        revocation = "unknown"
    level = "B-B"
    if tst is not None:
        level = "B-T"
        if has_dss:
            level = "B-LTA" if later_stamps else "B-LT"
    check = SignatureCheck(
        **base,
        status=VALID,
        summary="",
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        coverage="whole" if whole else "partial",
        modified_after_signing=modified,
        signing_time=timezone.localtime(signing_time) if signing_time else None,
        time_from_timestamp=from_timestamp,
        revocation=revocation,
        revoked_at=status.revocation_details.revocation_date if status.revoked else None,
        level=level,
    )
    if not (status.intact and status.valid):
        check.status = INVALID
        check.problems.append(_("Nội dung đã bị thay đổi sau khi ký hoặc chữ ký bị hỏng."))
    elif status.revoked:
        check.status = INVALID
        check.problems.append(_("Chứng thư số của người ký đã bị thu hồi."))
    elif modified:
        check.status = MODIFIED
        check.problems.append(_("Tệp đã bị sửa đổi sau khi ký."))
    elif not status.trusted:
        check.status = UNTRUSTED
        check.problems.append(
            _("Chứng thư số không do tổ chức chứng thực được tin cậy cấp, hoặc đã hết hạn.")
        )
    check.summary = _signature_summary(check)
    return check


def _suspicious(status) -> bool:
    from pyhanko.sign.diff_analysis import ModificationLevel, SuspiciousModification

    if isinstance(status.diff_result, SuspiciousModification):
        return True
    return status.modification_level == ModificationLevel.OTHER


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%H:%M:%S %d/%m/%Y") if moment else "?"


def _signature_summary(check: SignatureCheck) -> str:
    who = check.signer_name or check.subject or _("không rõ")
    where = check.signer_unit or check.signer_organization
    if where and where != check.signer_name:
        who = f"{who} ({where})"
    when = _when(check.signing_time)
    if check.status == VALID:
        return _("Chữ ký hợp lệ của %(who)s, ký lúc %(when)s; văn bản không bị thay đổi.") % {
            "who": who,
            "when": when,
        }
    if check.status == UNTRUSTED:
        return _("Chữ ký của %(who)s còn nguyên vẹn nhưng chứng thư số không được tin cậy.") % {
            "who": who
        }
    if check.status == MODIFIED:
        return _("Chữ ký của %(who)s hợp lệ nhưng tệp đã bị sửa đổi sau khi ký.") % {"who": who}
    if check.revocation == "revoked":
        return _("Chữ ký của %(who)s không hợp lệ: chứng thư số đã bị thu hồi.") % {"who": who}
    return _("Chữ ký của %(who)s không hợp lệ: nội dung đã bị thay đổi sau khi ký.") % {"who": who}


def _document_summary(status: str, checks: list[SignatureCheck]) -> str:
    n = len(checks)
    if status == VALID:
        if n == 1:
            return checks[0].summary
        return _("%(n)s chữ ký số, tất cả hợp lệ; văn bản không bị thay đổi.") % {"n": n}
    worst = next(c for c in checks if c.status == status)
    return worst.summary
