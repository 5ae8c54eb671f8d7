"""What the public verification page (xác thực văn bản) can say about a document: whether
motcua issued a PDF and it is unchanged since (its SHA-256 is that of a result handed over),
what the PDF's own signatures are worth, and what a form's verification code names.

Only what the document itself shows, or could: the procedure, the agency, dates and the
signers. Never the applicant, the dossier's code or anything else of the dossier."""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from motcua.dossiers.files import check_upload
from motcua.dossiers.forms_data import resolve
from motcua.dossiers.forms_pdf import read_verification_token
from motcua.dossiers.lifecycle import State
from motcua.dossiers.models import Dossier, DossierFile

PDF_ONLY = frozenset({"pdf"})
# A result counts as issued once it may reach the applicant (as in "Hồ sơ của tôi"): a draft
# of a result still being processed was issued by no one.
ISSUED = (State.RESULT_READY, State.RETURNED)


@dataclass(frozen=True)
class Issued:
    """A stored result whose bytes the uploaded file has exactly."""

    procedure: str
    agency: str
    stored_at: datetime
    signatures: list[dict]
    newer_version: bool  # a later version (the signed copy) replaced this one


@dataclass
class Verdict:
    """The page's answer about one uploaded file."""

    error: str = ""  # the file could not be checked: why, in the reader's language
    issued: Issued | None = None
    status: str = ""  # the file's own signatures: motcua.signing.validation's status
    summary: str = ""
    signatures: list[dict] = field(default_factory=list)

    @property
    def genuine(self) -> bool:
        return self.issued is not None


def verify_upload(upload) -> Verdict:
    """Check an uploaded file: type and size, then the store, then its signatures."""
    try:
        checked = check_upload(upload, allowed=PDF_ONLY)
    except ValidationError as exc:
        return Verdict(error=" ".join(exc.messages))
    issued = issued_result(checked.sha256)
    if issued is not None:
        return Verdict(issued=issued)
    from motcua.signing.validation import UNREADABLE, validate_pdf

    checked_signatures = validate_pdf(checked.content)
    if checked_signatures.status == UNREADABLE:
        return Verdict(error=checked_signatures.message or checked_signatures.summary)
    found = checked_signatures.as_dict()
    return Verdict(status=found["status"], summary=found["summary"], signatures=found["signatures"])


def issued_result(sha256: str) -> Issued | None:
    """The result handed over with these exact bytes, any version of it; the latest stored."""
    found = (
        DossierFile.objects.filter(
            purpose=DossierFile.Purpose.RESULT, sha256=sha256, dossier__state__in=ISSUED
        )
        .select_related(
            "dossier__procedure", "dossier__current_agency", "dossier__receiving_agency"
        )
        .order_by("-uploaded_at", "-pk")
        .first()
    )
    if found is None:
        return None
    dossier = found.dossier
    return Issued(
        procedure=dossier.procedure.name,
        agency=_issuing_agency(dossier).name,
        stored_at=found.uploaded_at,
        signatures=list((found.signature or {}).get("signatures") or []),
        newer_version=found.superseded_by.exists(),
    )


def _issuing_agency(dossier: Dossier):
    return dossier.current_agency or dossier.receiving_agency


@dataclass(frozen=True)
class IssuedForm:
    """What a form's verification code names, as the page tells it."""

    number: str
    title: str
    rendered_at: datetime
    agency: str
    procedure: str


def issued_form(token: str) -> IssuedForm | None:
    """The form a genuine code names; None for a forged or garbled one, or a dossier that
    is no more (a code of another installation signed with the same key, say)."""
    named = read_verification_token(token)
    if named is None:
        return None
    dossier = (
        Dossier.objects.filter(reference=named.reference)
        .select_related("procedure", "receiving_agency")
        .first()
    )
    if dossier is None:
        return None
    try:
        title = resolve(named.number).title
    except LookupError:  # the province has changed its form set since: the number stays true
        title = _("Mẫu số %(n)s") % {"n": named.number}
    return IssuedForm(
        number=named.number,
        title=title,
        rendered_at=named.rendered_at,
        agency=dossier.receiving_agency.name,
        procedure=dossier.procedure.name,
    )
