"""PAdES baseline signatures with pyHanko on a PDF motcua renders or an officer uploads.

    signed = sign_pdf(pdf_bytes, identity, reason="Phê duyệt kết quả", location="Long An")
    signed.pdf, signed.sha256_before, signed.sha256_after, signed.certificate_serial, …

- B-T: the signature carries an RFC 3161 timestamp of its value (the configured TSA; in
  development a local timestamper with the demo PKI's TSA certificate);
- B-LT: and the validation data (certificates, CRLs/OCSP) in the document's DSS;
- B-LTA: and a document timestamp over all of it.

`identity` is a `SigningIdentity` (or any object with `key_source()`, or a `KeySource`).
The visible stamp goes where the template marked the signature block (placement.py), else at
the bottom right of the last page. `sign_pdfs` signs a batch: one failure does not stop the
rest, and a remote key asks the signer for one approval. Errors are `SigningError`s whose
message can be shown as it is.
"""

import asyncio
import hashlib
import io
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.sign.signers.pdf_signer import PdfSigner

from . import aio, certs, conf
from .errors import CertificateRefused, PdfNotSignable, SigningError, TimestampUnavailable
from .keys import KeySource
from .placement import SIGNATURE_BLOCK, Placement, default_placement, find_marker, remove_marker
from .stamp import StampInfo, stamp_style
from .tsa import RecordingTimeStamper

logger = logging.getLogger(__name__)
AUTO = "auto"


class _NoFetchingNotice(logging.Filter):
    """B-LT without fetching is how we sign (the revocation data is on disk): pyHanko's
    warning about it would be logged for every signature."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "fetching is not allowed" not in str(record.msg)


logging.getLogger("pyhanko.sign.signers.pdf_signer").addFilter(_NoFetchingNotice())


@dataclass(frozen=True)
class SignedPdf:
    """A signed document and what the control sheet records of the signature."""

    pdf: bytes = field(repr=False)
    sha256_before: str
    sha256_after: str
    certificate_serial: str
    subject: str
    signer_name: str
    signing_time: datetime
    timestamp_time: datetime | None
    level: str
    field_name: str
    page: int  # 0-based; -1 for an invisible signature
    box: tuple[float, float, float, float] | None

    def as_dict(self) -> dict:
        """JSON-ready, without the document itself (for an event row)."""
        return {
            "sha256_before": self.sha256_before,
            "sha256_after": self.sha256_after,
            "certificate_serial": self.certificate_serial,
            "subject": self.subject,
            "signer_name": self.signer_name,
            "signing_time": self.signing_time.isoformat(),
            "timestamp_time": self.timestamp_time.isoformat() if self.timestamp_time else None,
            "level": self.level,
            "field_name": self.field_name,
            "page": self.page,
            "box": list(self.box) if self.box else None,
        }


@dataclass(frozen=True)
class SignRequest:
    """One document of a batch and how to sign it (the arguments of `sign_pdf`)."""

    pdf: bytes = field(repr=False)
    reason: str = ""
    location: str = ""
    stamp: StampInfo | str | None = AUTO
    page: int | None = None
    box: tuple[float, float, float, float] | None = None
    marker: str = SIGNATURE_BLOCK


@dataclass(frozen=True)
class SignOutcome:
    """What became of one document of a batch: `signed`, or `error` (a message to show)."""

    index: int
    signed: SignedPdf | None = None
    error: str = ""
    exception: Exception | None = field(default=None, repr=False, compare=False)

    @property
    def ok(self) -> bool:
        return self.signed is not None


def sign_pdf(
    pdf: bytes,
    identity,
    *,
    reason: str = "",
    location: str = "",
    stamp: StampInfo | str | None = AUTO,
    page: int | None = None,
    box: tuple[float, float, float, float] | None = None,
    marker: str = SIGNATURE_BLOCK,
    level: str | None = None,
) -> SignedPdf:
    """Sign `pdf` with `identity`'s key; raises a SigningError saying why it could not.

    `stamp`: "auto" (the identity's agency, name, title and the agency's stamp image), a
    `StampInfo`, or None for an invisible signature. `box` (x1, y1, x2, y2 in points) on
    `page` (0-based; default the last), else the `marker` block of the template, else the
    bottom right of the last page. `level`: "B-T", "B-LT" or "B-LTA" (default: the setting).
    """
    request = SignRequest(pdf, reason, location, stamp, page, box, marker)
    outcome = sign_pdfs([request], identity, level=level)[0]
    if outcome.exception is not None:
        raise outcome.exception
    return outcome.signed


def sign_pdfs(
    requests: Sequence[SignRequest],
    identity,
    *,
    level: str | None = None,
    on_progress: Callable[[SignOutcome], None] | None = None,
) -> list[SignOutcome]:
    """Sign every request with one key, in order; an outcome per request, never raising
    for one document's fault. `on_progress(outcome)` is called as each one ends."""
    level = level or conf.option("LEVEL")
    if level not in conf.LEVELS:
        raise ValueError(f"level must be one of {conf.LEVELS}, not {level!r}")
    requests = list(requests)
    try:
        key = _key_source(identity)
        certificate = key.certificate()
        info = certs.check_can_sign(certificate)
        timestamper = conf.timestamper()
        if timestamper is None:
            raise TimestampUnavailable(
                _(
                    "Chưa cấu hình dịch vụ cấp dấu thời gian (MOTCUA_SIGNING_TSA_URL): không ký "
                    "được chữ ký số có dấu thời gian."
                )
            )
        context = _Context(identity, level, info, timestamper, certificate)
        if any(r.stamp == AUTO for r in requests):
            # Read here, not in the signing loop: the database and storage are synchronous.
            context.default_stamp = _default_stamp(identity, info)
        with key.signer(expected_signatures=len(requests)) as signer:
            return aio.run(_sign_all(requests, signer, context, on_progress))
    except SigningError as exc:
        outcomes = [SignOutcome(i, error=str(exc), exception=exc) for i in range(len(requests))]
        for outcome in outcomes:
            if on_progress:
                on_progress(outcome)
        return outcomes


# --- inside -------------------------------------------------------------------------------


@dataclass
class _Context:
    identity: object
    level: str
    info: certs.CertificateInfo
    timestamper: object
    certificate: object
    default_stamp: StampInfo | None = None
    validation_context: object = None


def _key_source(identity) -> KeySource:
    if isinstance(identity, KeySource):
        return identity
    if getattr(identity, "active", True) is False:
        raise CertificateRefused(_("Khóa ký số này đã ngừng sử dụng."))
    return identity.key_source()


async def _sign_all(requests, signer, context: _Context, on_progress) -> list[SignOutcome]:
    if context.level != "B-T":
        context.validation_context = _validation_context(signer)

    async def one(index: int, request: SignRequest) -> SignOutcome:
        doc_signer = signer.for_document() if hasattr(signer, "for_document") else signer
        try:
            signed = await _sign_one(request, doc_signer, context)
            outcome = SignOutcome(index, signed=signed)
        except SigningError as exc:
            outcome = SignOutcome(index, error=str(exc), exception=exc)
        except Exception as exc:  # pyHanko's own errors: one document's failure
            logger.warning("signing failed: %s", exc, exc_info=True)
            wrapped = SigningError(_("Không ký được văn bản: %(reason)s") % {"reason": exc})
            outcome = SignOutcome(index, error=str(wrapped), exception=wrapped)
        finally:
            if hasattr(doc_signer, "release"):
                await doc_signer.release()
        if on_progress:
            on_progress(outcome)
        return outcome

    if getattr(signer, "batched", False):
        # A remote key: every document's hash goes into one approval.
        return list(await asyncio.gather(*(one(i, r) for i, r in enumerate(requests))))
    return [await one(i, r) for i, r in enumerate(requests)]


def _validation_context(signer):
    from pyhanko_certvalidator import ValidationContext

    roots = conf.trust_roots()
    if not roots:
        raise SigningError(
            _(
                "Chưa cấu hình chứng thư số gốc tin cậy (MOTCUA_SIGNING_TRUST_ROOTS): không nhúng "
                "được dữ liệu kiểm tra (B-LT)."
            )
        )
    return ValidationContext(
        trust_roots=roots,
        other_certs=[*conf.extra_certificates(), *signer.cert_registry],
        crls=conf.crls(),
        allow_fetching=bool(conf.option("FETCH_REVOCATION")),
        revocation_mode="soft-fail",
    )


def check_pdf(data: bytes) -> None:
    """PdfNotSignable unless `data` looks like a PDF of an acceptable size."""
    if not data:
        raise PdfNotSignable(_("Tệp rỗng: không có gì để ký."))
    if b"%PDF-" not in data[:1024]:
        raise PdfNotSignable(_("Tệp không phải là tệp PDF."))
    limit = int(conf.option("VALIDATE_MAX_MB")) * 1024 * 1024
    if len(data) > limit:
        raise PdfNotSignable(
            _("Tệp PDF quá lớn để ký (tối đa %(mb)s MB).") % {"mb": conf.option("VALIDATE_MAX_MB")}
        )


def _writer(data: bytes):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    check_pdf(data)
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    except Exception as exc:
        raise PdfNotSignable(_("Không đọc được tệp PDF (tệp hỏng).")) from exc
    if writer.prev.encrypted:
        raise PdfNotSignable(_("Tệp PDF có mật khẩu (được mã hóa): hãy bỏ mật khẩu rồi ký."))
    return writer


def _field_name(writer) -> str:
    from pyhanko.sign.fields import enumerate_sig_fields

    taken = {name for name, _value, _ref in enumerate_sig_fields(writer.prev)}
    n = len(taken) + 1
    while f"ChuKySo{n}" in taken:
        n += 1
    return f"ChuKySo{n}"


def _default_stamp(identity, info: certs.CertificateInfo) -> StampInfo:
    """The identity's stamp (agency, person, seal image), or one read from the certificate
    for a bare key source."""
    if hasattr(identity, "key_source") and hasattr(identity, "pk"):
        from .selectors import signing_stamp_for

        return signing_stamp_for(identity)
    return StampInfo(
        signed_by=info.unit or info.organization or info.common_name,
        signer_name=info.common_name,
        signer_title=info.title,
    )


def _stamp_for(request: SignRequest, context: _Context) -> StampInfo | None:
    return context.default_stamp if request.stamp == AUTO else request.stamp


def _placement(writer, request: SignRequest) -> Placement:
    pages = int(writer.root["/Pages"]["/Count"])
    if request.box is not None:
        page = pages - 1 if request.page is None else request.page
        if not -pages <= page < pages:
            raise PdfNotSignable(_("Tệp PDF không có trang %(n)s.") % {"n": page + 1})
        return Placement(page % pages, tuple(round(float(v)) for v in request.box))
    return find_marker(writer, request.marker) or default_placement(writer)


async def _sign_one(request: SignRequest, signer, context: _Context) -> SignedPdf:
    from pyhanko.sign import fields
    from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata

    writer = _writer(request.pdf)
    stamp = _stamp_for(request, context)
    field_name = _field_name(writer)
    now = timezone.localtime().replace(microsecond=0)
    if stamp is None:
        placement, style, spec = None, None, fields.SigFieldSpec(field_name)
    else:
        placement = _placement(writer, request)
        remove_marker(writer, placement)
        x1, y1, x2, y2 = placement.box
        style = stamp_style(stamp, x2 - x1, y2 - y1)
        spec = fields.SigFieldSpec(field_name, on_page=placement.page, box=placement.box)
    meta = PdfSignatureMetadata(
        field_name=field_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=request.reason or None,
        location=request.location or None,
        name=context.info.common_name or None,
        embed_validation_info=context.level != "B-T",
        use_pades_lta=context.level == "B-LTA",
        validation_context=context.validation_context,
    )
    timestamper = RecordingTimeStamper(context.timestamper)
    pdf_signer = _PdfSigner(
        meta,
        signer=signer,
        timestamper=timestamper,
        stamp_style=style,
        new_field_spec=spec,
        signing_time=now,
    )
    try:
        output = await pdf_signer.async_sign_pdf(writer)
    except SigningError:
        raise
    except Exception as exc:
        raise _explain(exc) from exc
    signed = output.getvalue()
    return SignedPdf(
        pdf=signed,
        sha256_before=hashlib.sha256(request.pdf).hexdigest(),
        sha256_after=hashlib.sha256(signed).hexdigest(),
        certificate_serial=context.info.serial,
        subject=context.info.subject,
        signer_name=context.info.common_name,
        signing_time=now,
        timestamp_time=timestamper.first_time(),
        level=context.level,
        field_name=field_name,
        page=placement.page if placement else -1,
        box=placement.box if placement else None,
    )


def _explain(exc: Exception) -> SigningError:
    """pyHanko's and the validator's errors in words an officer reads."""
    from pyhanko.sign.timestamps.common_utils import TimestampRequestError
    from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

    if isinstance(exc, TimestampRequestError):
        return TimestampUnavailable(
            _("Dịch vụ cấp dấu thời gian không cấp được dấu thời gian: %(reason)s")
            % {"reason": exc}
        )
    causes, cause = [], exc
    while cause is not None and len(causes) < 10:
        causes.append(cause)
        cause = cause.__cause__ or cause.__context__
    path_error = next(
        (c for c in causes if isinstance(c, PathBuildingError | PathValidationError)), None
    )
    if path_error is not None or "certificate could not be validated" in str(exc):
        return CertificateRefused(
            _(
                "Chứng thư số của người ký không kiểm tra được với chứng thư gốc tin cậy "
                "(MOTCUA_SIGNING_TRUST_ROOTS): %(reason)s"
            )
            % {"reason": path_error or exc}
        )
    text = str(exc)
    if "DocMDP" in text or ("certif" in text.lower() and "modif" in text.lower()):
        return PdfNotSignable(
            _("Văn bản đã được chứng thực không cho phép thay đổi: không ký thêm được.")
        )
    return SigningError(_("Không ký được văn bản: %(reason)s") % {"reason": text})


class _PdfSigner(PdfSigner):
    """pyHanko's signer, with the signing time (CMS signingTime, /M and the stamp's time)
    fixed by us: one moment, shown in Vietnam's time."""

    def __init__(self, *args, signing_time: datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self._signing_time = signing_time

    def init_signing_session(self, pdf_out, existing_fields_only=False):
        session = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = self._signing_time
        return session


def requests_for(pdfs: Iterable[bytes], **options) -> list[SignRequest]:
    """A batch of documents signed alike: `sign_pdfs(requests_for(pdfs, reason=…), identity)`."""
    return [SignRequest(pdf, **options) for pdf in pdfs]
