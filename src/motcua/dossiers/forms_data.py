"""The official forms as data: the two form sets, and what each form prints about a dossier.

`forms_pdf` turns these contexts into PDF; nothing here knows about HTML or WeasyPrint.
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db.models import Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.org.models import Agency
from motcua.org.selectors import province_name

from . import deadlines
from .lifecycle import BY_ACTION, FINISHED, State
from .models import Dossier, DossierEvent, DossierFile, Timeliness
from .selectors import control_sheet, lookup_url

# Every form has a stable key; a form set maps it to the number and title of one regulation.
FORM_SETS: dict[str, dict[str, tuple[str, str]]] = {
    # Guiding circular of Decree 118/2025/NĐ-CP (reported; titles per docs/domain.md).
    "decree118": {
        "receipt": ("01", gettext_lazy("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")),
        "completion_request": ("02", gettext_lazy("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")),
        "refusal": ("03", gettext_lazy("Phiếu từ chối tiếp nhận giải quyết hồ sơ")),
        "apology": (
            "04",
            gettext_lazy("Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết"),
        ),
        "suspension": ("05", gettext_lazy("Thông báo dừng giải quyết hồ sơ")),
        "control_sheet": ("06", gettext_lazy("Phiếu kiểm soát quá trình giải quyết hồ sơ")),
        "register": ("07", gettext_lazy("Sổ theo dõi hồ sơ")),
    },
    # Circular 01/2018/TT-VPCP (Decree 61/2018): six forms, no notice of stopping.
    "circular01": {
        "receipt": ("01", gettext_lazy("Giấy tiếp nhận hồ sơ và hẹn trả kết quả")),
        "completion_request": ("02", gettext_lazy("Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ")),
        "refusal": ("03", gettext_lazy("Phiếu từ chối tiếp nhận giải quyết hồ sơ")),
        "apology": ("04", gettext_lazy("Phiếu xin lỗi và hẹn lại ngày trả kết quả")),
        "control_sheet": ("05", gettext_lazy("Phiếu kiểm soát quá trình giải quyết hồ sơ")),
        "register": ("06", gettext_lazy("Sổ theo dõi hồ sơ")),
    },
}
FORM_SET_BASIS = {
    "decree118": gettext_lazy("Nghị định số 118/2025/NĐ-CP"),
    "circular01": gettext_lazy("Thông tư số 01/2018/TT-VPCP"),
}
FORM_KEYS = tuple(FORM_SETS["decree118"])

# The actions whose event a form reports; the latest such event is the one printed. Form 03
# also serves a refusal after reception ("từ chối giải quyết"), as its title says.
EVENT_ACTIONS = {
    "completion_request": ("request_completion", "request_supplement"),
    "refusal": ("refuse_reception", "reject"),
    "apology": ("apologize",),
    "suspension": ("suspend",),
}
MISSING_EVENT = {
    "completion_request": gettext_lazy("Hồ sơ chưa có yêu cầu bổ sung, hoàn thiện."),
    "refusal": gettext_lazy("Hồ sơ chưa có quyết định từ chối tiếp nhận, giải quyết."),
    "apology": gettext_lazy("Hồ sơ chưa có văn bản xin lỗi, hẹn lại ngày trả kết quả."),
    "suspension": gettext_lazy("Hồ sơ chưa có thông báo dừng giải quyết."),
}


@dataclass(frozen=True)
class FormSpec:
    key: str
    number: str
    title: str


def active_set() -> str:
    return settings.MOTCUA.get("FORM_SET") or "decree118"


def resolve(key_or_number: str) -> FormSpec:
    """The form of the active set named by its key ("receipt") or its number ("01")."""
    forms = FORM_SETS[active_set()]
    for key, (number, title) in forms.items():
        if key_or_number in (key, number):
            return FormSpec(key, number, str(title))
    raise LookupError(
        _("Bộ biểu mẫu “%(s)s” không có mẫu “%(f)s”.") % {"s": active_set(), "f": key_or_number}
    )


def latest_event(dossier: Dossier, key: str) -> DossierEvent | None:
    actions = EVENT_ACTIONS.get(key, ())
    return dossier.events.filter(action__in=actions).order_by("-seq").first()


# Formatting in the official style (Decree 30/2020): days below 10 and months 1–2 with a 0.
def date_words(day: date) -> str:
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return _("ngày %(d)s tháng %(m)s năm %(y)s") % {
        "d": f"{day.day:02d}",
        "m": month,
        "y": day.year,
    }


def moment(value: datetime | None) -> str:
    """ "09 giờ 15 phút, ngày 10/03/2026", as the receipt prints times."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    return _("%(h)s giờ %(m)s phút, ngày %(d)s") % {
        "h": f"{local:%H}",
        "m": f"{local:%M}",
        "d": f"{local:%d/%m/%Y}",
    }


def short_moment(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if value else ""


_UNIT_PREFIX = re.compile(r"^(thành phố|thị xã|thị trấn|tỉnh|huyện|quận|phường|xã)\s+", re.I)
_UBND = re.compile(r"^(ủy|uỷ) ban nhân dân", re.I)


def place_name(unit) -> str:
    """The place on the date line: "Tân An" for Phường 1 of Thành phố Tân An."""
    while unit is not None:
        name = _UNIT_PREFIX.sub("", unit.name).strip()
        # A numbered ward ("Phường 1") is not a place name: use the town it belongs to.
        if name and not name[0].isdigit():
            return name
        unit = unit.parent
    return ""


def heading(agency: Agency, day: date) -> dict:
    """The top of every form: governing body, agency, and the place and date line."""
    if agency.parent_id:
        governing = _UBND.sub("UBND", agency.parent.name)
    elif agency.kind != Agency.Kind.PEOPLES_COMMITTEE:
        province = settings.MOTCUA["PROVINCE_NAME"] or province_name()
        governing = f"UBND {province}" if province else ""
    else:
        governing = ""
    place = place_name(agency.unit)
    return {
        "governing": governing.upper(),
        "agency_name": agency.name.upper(),
        "date_line": f"{place}, {date_words(day)}" if place else date_words(day).capitalize(),
    }


def base_context(dossier: Dossier, spec: FormSpec | None, day: date | None = None) -> dict:
    received = dossier.received_at or dossier.submitted_at or dossier.created_at
    day = day or timezone.localtime(received).date()
    return {
        "dossier": dossier,
        "form": spec,
        "form_title": str(spec.title).upper() if spec else "",
        "basis": FORM_SET_BASIS[active_set()],
        "code": dossier.display_code,
        "lookup_url": lookup_url(dossier),
        "agency": dossier.receiving_agency,
        **heading(dossier.receiving_agency, day),
    }


def due_lines(dossier: Dossier) -> list[str]:
    explanation = deadlines.explain_due(dossier)
    return explanation.lines() if explanation else []


def received_components(dossier: Dossier) -> list[dict]:
    """The procedure's components with originals and copies, and the files received for each."""
    files = defaultdict(list)
    inputs = dossier.files.filter(purpose=DossierFile.Purpose.INPUT).order_by("uploaded_at", "id")
    for f in inputs:
        files[f.component_id].append(f.original_name)
    rows = [
        {"name": c.name, "originals": c.originals, "copies": c.copies, "files": files.pop(c.pk, [])}
        for c in dossier.procedure.components.all()
    ]
    if files:
        others = [name for names in files.values() for name in names]
        rows.append({"name": _("Giấy tờ khác"), "originals": "", "copies": "", "files": others})
    return rows


def receipt_context(dossier: Dossier, spec: FormSpec) -> dict:
    receive = dossier.events.filter(action="receive").order_by("-seq").first()
    return {
        **base_context(dossier, spec),
        "components": received_components(dossier),
        "received": moment(dossier.received_at),
        "due": moment(dossier.due_at),
        "appointment": moment(dossier.appointment_at),
        "processing": dossier.procedure.processing_time_label(),
        "officer": receive.actor_name if receive else "",
        "due_lines": due_lines(dossier),
    }


def event_context(dossier: Dossier, spec: FormSpec, event: DossierEvent) -> dict:
    """Forms 02–05: what the event says, dated the day it happened."""
    context = {
        **base_context(dossier, spec, timezone.localtime(event.at).date()),
        "event": event,
        "event_at": moment(event.at),
        "signer": event.actor_name,
        "received": moment(dossier.received_at),
        "reasons": event.note or dossier.result_summary,
    }
    if spec.key == "completion_request":
        context["missing_items"] = event.data.get("missing_items", [])
        context["online"] = event.action == "request_completion"
    elif spec.key == "apology":
        new = event.data.get("new_appointment")
        context["new_appointment"] = moment(datetime.fromisoformat(new)) if new else ""
        context["old_appointment"] = moment(appointment_before(dossier, event))
    elif spec.key == "suspension":
        pause = dossier.pauses.filter(kind="suspension", started_at__gte=event.at).first()
        context["resumed"] = moment(pause.ended_at) if pause and pause.ended_at else ""
    elif spec.key == "refusal":
        context["at_reception"] = event.action == "refuse_reception"
    return context


def appointment_before(dossier: Dossier, event: DossierEvent) -> datetime | None:
    """The appointment an apology replaced: the previous apology's, or the due time then."""
    earlier = dossier.events.filter(action="apologize", seq__lt=event.seq).order_by("-seq").first()
    if earlier and earlier.data.get("new_appointment"):
        return datetime.fromisoformat(earlier.data["new_appointment"])
    later_pauses = dossier.pauses.filter(ended_at__gt=event.at)
    if not later_pauses.exists() or dossier.clock_start is None or dossier.clock_start > event.at:
        return dossier.due_at
    # Pauses that ended after the apology have since moved the due time: take them out.
    cal = deadlines.calendar_for(dossier)
    paused = sum(p.working_seconds for p in dossier.pauses.filter(ended_at__lte=event.at))
    return cal.add_working_seconds(dossier.clock_start, dossier.budget_seconds + paused)


def _label(action: str) -> str:
    if action == "create":
        return _("Tạo hồ sơ")
    t = BY_ACTION.get(action)
    return str(t.label) if t else action


def _receiver(event: DossierEvent) -> str:
    data = event.data or {}
    if event.action == "forward" and data.get("to_agency_name"):
        return " – ".join(filter(None, [data["to_agency_name"], data.get("step", "")]))
    if event.action == "approve":
        return _("Đã phê duyệt kết quả")
    if data.get("assignee_name"):
        return data["assignee_name"]
    if data.get("new_appointment"):
        new = short_moment(datetime.fromisoformat(data["new_appointment"]))
        return _("Hẹn trả kết quả mới: %(t)s") % {"t": new}
    if event.step_id and event.action in ("receive", "receive_supplement", "resume"):
        return f"{event.step.name} ({event.step.agency.name})"
    return str(State(event.to_state).label) if event.to_state in State.values else ""


def control_sheet_context(dossier: Dossier, spec: FormSpec) -> dict:
    rows = []
    for i, event in enumerate(control_sheet(dossier), start=1):
        rows.append(
            {
                "no": i,
                "at": timezone.localtime(event.at),
                "giver": event.actor_name,
                "giver_agency": event.actor_agency.name if event.actor_agency_id else "",
                "receiver": _receiver(event),
                "label": _label(event.action),
                "note": event.note,
            }
        )
    now = timezone.now()
    steps = [
        {
            "order": step.order,
            "name": step.name,
            "agency": step.agency.name,
            "assignee": str(step.assignee) if step.assignee_id else "",
            "started": short_moment(step.started_at),
            "due": short_moment(step.due_at),
            "finished": short_moment(step.finished_at),
            "verdict": Timeliness(deadlines.step_timeliness(step, now)).label,
        }
        for step in dossier.steps.select_related("agency", "assignee", "dossier").order_by("order")
    ]
    return {
        **base_context(dossier, spec),
        "rows": rows,
        "steps": steps,
        "received": moment(dossier.received_at),
        "appointment": moment(dossier.appointment_at),
        "due_lines": due_lines(dossier),
    }


@dataclass
class RegisterRow:
    no: int
    code: str
    procedure: str
    applicant: str
    contact: str
    received_at: datetime | None
    appointment_at: datetime | None
    forwarded_at: datetime | None
    result_at: datetime | None
    returned_at: datetime | None
    note: str


def register_rows(agency: Agency, start: date, end: date) -> list[RegisterRow]:
    """Form 07: the dossiers `agency` received from `start` to `end`, in order of reception."""
    dossiers = (
        Dossier.objects.filter(
            receiving_agency=agency, received_at__date__gte=start, received_at__date__lte=end
        )
        .select_related("procedure", "receiving_unit")
        .annotate(forwarded_at=Min("events__at", filter=Q(events__action="forward")))
        .order_by("received_at", "id")
    )
    rows = []
    for no, d in enumerate(dossiers, start=1):
        note = str(State(d.state).label)
        if d.state in FINISHED:
            note += f" ({Timeliness(deadlines.dossier_timeliness(d)).label.lower()})"
        if d.apologies:
            note += "; " + _("đã xin lỗi, hẹn lại")
        rows.append(
            RegisterRow(
                no=no,
                code=d.code or "",
                procedure=d.procedure.name,
                applicant=d.applicant_name,
                contact=", ".join(filter(None, [d.applicant_address, d.applicant_phone])),
                received_at=d.received_at,
                appointment_at=d.appointment_at,
                forwarded_at=d.forwarded_at,
                result_at=d.result_ready_at,
                returned_at=d.finished_at if d.state == State.RETURNED else None,
                note=note,
            )
        )
    return rows
