"""The official forms 01–07 as A4 PDF (WeasyPrint), the register also as a workbook.

Which numbers and titles the forms carry is data (`forms_data.FORM_SETS`), chosen by
`settings.MOTCUA["FORM_SET"]`.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

import segno
from django.core import signing
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.core import spreadsheets
from motcua.org.models import Agency

from . import forms_data as data
from .forms_data import FORM_SETS, active_set, resolve
from .models import Dossier, DossierEvent
from .selectors import public_url

if TYPE_CHECKING:
    from weasyprint.urls import URLFetcher

# WeasyPrint (with Pango and its fonts) and openpyxl are imported where a form or a workbook is
# made: a web worker that never prints stays about 45 MB smaller.

__all__ = [
    "FORM_SETS",
    "available_forms",
    "read_verification_token",
    "register_workbook",
    "render_due_explanation",
    "render_form",
    "render_register",
    "verification_token",
    "verification_url",
]


def no_network_fetcher() -> "URLFetcher":
    """Everything a form needs is embedded (fonts come from the system): a form must never
    make the server fetch a URL, so only data: URIs are allowed. One per render, because a
    fetcher keeps per-request state."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"})


TEMPLATES = {
    "receipt": "dossiers/forms/01.html",
    "completion_request": "dossiers/forms/02.html",
    "refusal": "dossiers/forms/03.html",
    "apology": "dossiers/forms/04.html",
    "suspension": "dossiers/forms/05.html",
    "control_sheet": "dossiers/forms/06.html",
    "register": "dossiers/forms/07.html",
}


def qr_data_uri(text: str) -> str:
    """An SVG QR code as a data URI; vector, so it prints sharp at any size."""
    return segno.make(text, error="m", micro=False).svg_data_uri(scale=4, border=2)


# --- "Xác thực văn bản": the second QR of a form -------------------------------------------
# It names the dossier (its reference, never the code or the applicant), the form's number and
# when the form was rendered, signed with the site's key (django.core.signing, its own salt):
# nothing is stored, so rendering a form writes nothing; the signature is the proof.
VERIFY_SALT = "motcua.verify"


@dataclass(frozen=True)
class FormToken:
    reference: uuid.UUID
    number: str
    rendered_at: datetime


def verification_token(dossier: Dossier, number: str, at: datetime | None = None) -> str:
    moment = int((at or timezone.now()).timestamp())
    value = f"{dossier.reference.hex}.{number}.{signing.b62_encode(moment)}"
    return signing.Signer(salt=VERIFY_SALT).sign(value)


def read_verification_token(token: str) -> FormToken | None:
    """What a genuine token names; None for a forged, garbled or truncated one."""
    try:
        value = signing.Signer(salt=VERIFY_SALT).unsign(str(token)[:200])
        reference, number, moment = value.split(".")
        rendered_at = datetime.fromtimestamp(signing.b62_decode(moment), tz=UTC)
        return FormToken(uuid.UUID(hex=reference), number, rendered_at)
    except (signing.BadSignature, ValueError, OverflowError, OSError):
        return None


def verification_url(dossier: Dossier, number: str, at: datetime | None = None) -> str:
    """The public page the "Xác thực văn bản" QR opens (portal:verify_token)."""
    return public_url(f"/xac-thuc/ma/{verification_token(dossier, number, at)}/")


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=None, url_fetcher=no_network_fetcher()).write_pdf()


def _render(template: str, context: dict) -> bytes:
    if context.get("lookup_url") is not None:
        context["qr"] = qr_data_uri(context["lookup_url"])
    if context.get("verify_url"):
        context["verify_qr"] = qr_data_uri(context["verify_url"])
    return html_to_pdf(render_to_string(template, context))


def render_form(
    key_or_number: str, dossier: Dossier, *, event: DossierEvent | None = None
) -> bytes:
    """One per-dossier form of the active set as PDF bytes.

    Forms 02–05 print the latest event of their action unless `event` is given; a dossier
    without one raises LookupError, as does a form the active set does not have.
    """
    spec = resolve(key_or_number)
    if spec.key == "register":
        raise LookupError(_("Sổ theo dõi hồ sơ không in theo từng hồ sơ."))
    if spec.key == "receipt":
        if not dossier.code:
            raise LookupError(_("Hồ sơ chưa được tiếp nhận, chưa có mã hồ sơ."))
        context = data.receipt_context(dossier, spec)
    elif spec.key == "control_sheet":
        if dossier.received_at is None:
            raise LookupError(_("Hồ sơ chưa được tiếp nhận."))
        context = data.control_sheet_context(dossier, spec)
    else:
        if event is None:
            event = data.latest_event(dossier, spec.key)
        if event is None or event.dossier_id != dossier.pk:
            raise LookupError(str(data.MISSING_EVENT[spec.key]))
        context = data.event_context(dossier, spec, event)
    context["verify_url"] = verification_url(dossier, spec.number)
    return _render(TEMPLATES[spec.key], context)


def available_forms(dossier: Dossier) -> list[tuple[str, str, str]]:
    """(number, title, key) of the forms that can be printed for `dossier` now (never 07)."""
    actions = set(dossier.events.values_list("action", flat=True))
    out = []
    for key, (number, title) in FORM_SETS[active_set()].items():
        if key == "receipt":
            ready = bool(dossier.code)
        elif key == "control_sheet":
            ready = dossier.received_at is not None
        elif key in data.EVENT_ACTIONS:
            ready = bool(actions & set(data.EVENT_ACTIONS[key]))
        else:
            ready = False
        if ready:
            out.append((number, str(title), key))
    return out


def render_due_explanation(dossier: Dossier) -> bytes:
    """One page "Giải trình thời hạn giải quyết": how the due time was counted."""
    if dossier.received_at is None:
        raise LookupError(_("Hồ sơ chưa được tiếp nhận, chưa có thời hạn giải quyết."))
    context = {
        **data.base_context(dossier, None, timezone.localdate()),
        "form_title": _("Giải trình thời hạn giải quyết").upper(),
        "due_lines": data.due_lines(dossier),
        "received": data.moment(dossier.received_at),
        "due": data.moment(dossier.due_at),
        "appointment": data.moment(dossier.appointment_at),
    }
    return _render("dossiers/forms/due.html", context)


def render_register(agency: Agency, start: date, end: date) -> bytes:
    """Form 07 (A4 landscape): one row for each dossier `agency` received in [start, end]."""
    spec = resolve("register")
    context = {
        **data.heading(agency, timezone.localdate()),
        "form": spec,
        "form_title": spec.title.upper(),
        "basis": data.FORM_SET_BASIS[active_set()],
        "agency": agency,
        "start": start,
        "end": end,
        "rows": data.register_rows(agency, start, end),
    }
    return _render(TEMPLATES["register"], context)


_DATE_FIELDS = ("received_at", "appointment_at", "forwarded_at", "result_at", "returned_at")
_COLUMNS = (
    ("no", "STT", 6),
    ("code", gettext_lazy("Mã hồ sơ"), 28),
    ("procedure", gettext_lazy("Tên thủ tục hành chính"), 48),
    ("applicant", gettext_lazy("Tên cá nhân, tổ chức"), 26),
    ("contact", gettext_lazy("Địa chỉ, số điện thoại"), 32),
    ("received_at", gettext_lazy("Ngày nhận hồ sơ"), 17),
    ("appointment_at", gettext_lazy("Hẹn trả kết quả"), 17),
    ("forwarded_at", gettext_lazy("Ngày chuyển xử lý"), 17),
    ("result_at", gettext_lazy("Ngày có kết quả"), 17),
    ("returned_at", gettext_lazy("Ngày trả kết quả"), 17),
    ("note", gettext_lazy("Ghi chú"), 30),
)


def _excel_value(value):
    # Excel has no time zones: write the local wall-clock time.
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def register_workbook(agency: Agency, start: date, end: date) -> bytes:
    """The register of Form 07 as .xlsx: bold header row, dates as Excel dates."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    spec = resolve("register")
    wb = spreadsheets.new_workbook()
    ws = wb.active
    ws.title = f"{_('Mẫu số')} {spec.number}"
    ws.append([str(label) for _name, label, _width in _COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for row in data.register_rows(agency, start, end):
        ws.append([_excel_value(getattr(row, name)) for name, _label, _width in _COLUMNS])
    for index, (name, _label, width) in enumerate(_COLUMNS, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = width
        if name in _DATE_FIELDS:
            for cell in ws[letter][1:]:
                cell.number_format = "dd/mm/yyyy hh:mm"
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions
    return spreadsheets.workbook_bytes(wb)
