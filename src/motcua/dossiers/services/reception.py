"""Actions at the one-stop counter: drafts, submission, reception, refusals, withdrawal, return."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from motcua.catalog.models import Procedure
from motcua.org.models import Agency
from motcua.org.permissions import can

from .. import deadlines
from ..codes import next_dossier_code
from ..errors import InvalidInput, NotAllowed
from ..files import check_upload, store
from ..lifecycle import State, transition
from ..models import ApplicantKind, Channel, Delivery, Dossier, DossierFile, DossierStep
from ..permissions import ACTION_PERMISSIONS
from .core import (
    ActionResult,
    begin,
    close_open_steps,
    end_pause,
    finish,
    now_or,
    record,
    require_items,
    require_text,
)
from .steps import open_first_step

APPLICANT_FIELDS = (
    "applicant_kind",
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
)


def _applicant_values(applicant: dict) -> dict:
    values = {
        k: applicant.get(k.removeprefix("applicant_"), applicant.get(k)) for k in APPLICANT_FIELDS
    }
    values = {k: ("" if v is None else v) for k, v in values.items()}
    values["applicant_kind"] = values["applicant_kind"] or ApplicantKind.PERSON
    errors: dict[str, list[str]] = {}
    if not str(values["applicant_name"]).strip():
        errors["applicant.name"] = [_("Nhập họ tên người nộp hoặc tên tổ chức.")]
    if values["applicant_kind"] not in ApplicantKind.values:
        errors["applicant.kind"] = [_("Loại đối tượng là 1 (công dân) hoặc 2 (tổ chức).")]
    number = str(values["applicant_id_number"]).strip()
    if number and not (number.isdigit() and len(number) in (9, 10, 12, 13)):
        errors["applicant.id_number"] = [
            _("Số định danh cá nhân có 12 chữ số; mã số thuế có 10 hoặc 13 chữ số.")
        ]
    phone = str(values["applicant_phone"]).replace(" ", "")
    if phone and not (phone.lstrip("+").isdigit() and 9 <= len(phone.lstrip("+")) <= 12):
        errors["applicant.phone"] = [_("Số điện thoại không hợp lệ.")]
    values["notify_by"] = _notify_by(applicant.get("notify_by"), phone, values, errors)
    if errors:
        raise InvalidInput(errors)
    values["applicant_phone"] = phone
    return values


def _notify_by(chosen, phone: str, values: dict, errors: dict) -> list[str]:
    """How the applicant is told (motcua.notify): as chosen, each with its contact given, at
    least one when a phone number is; not chosen at all, by every contact given."""
    from motcua.notify.models import CHOOSABLE, Channel

    email = str(values["applicant_email"]).strip()
    if chosen is None:
        return [c for c, ok in ((Channel.SMS, phone), (Channel.EMAIL, email)) if ok]
    if isinstance(chosen, str):
        chosen = [chosen]
    picked = [str(c) for c in CHOOSABLE if str(c) in {str(x) for x in chosen}]
    if len(picked) != len(set(map(str, chosen))):
        errors["applicant.notify_by"] = [_("Chỉ chọn SMS, Zalo hoặc thư điện tử.")]
    elif phone and not picked:
        errors["applicant.notify_by"] = [
            _("Chọn ít nhất một cách nhận thông báo (SMS, Zalo hoặc thư điện tử).")
        ]
    elif not phone and {Channel.SMS, Channel.ZNS} & set(picked):
        errors["applicant.notify_by"] = [_("Nhập số điện thoại để nhận thông báo qua SMS, Zalo.")]
    elif not email and Channel.EMAIL in picked:
        errors["applicant.notify_by"] = [_("Nhập thư điện tử để nhận thông báo qua thư.")]
    return picked


def _store_inputs(dossier, files, actor, purpose=DossierFile.Purpose.INPUT) -> list[DossierFile]:
    if not files:
        return []
    stored = []
    components = {c.pk: c for c in dossier.procedure.components.all()}
    for item in files or []:
        component_id, upload = item if isinstance(item, tuple) else (None, item)
        if component_id is not None and component_id not in components:
            raise InvalidInput({"files": [_("Thành phần hồ sơ không thuộc thủ tục này.")]})
        try:
            checked = check_upload(upload)
        except ValidationError as exc:
            raise InvalidInput({"files": exc.messages}) from None
        stored.append(
            store(
                dossier,
                checked,
                purpose=purpose,
                actor=actor,
                component=components.get(component_id),
            )
        )
    return stored


def _start_clock(dossier: Dossier, now, actor) -> DossierStep:
    """Give the dossier its code, due time, fee and first step at the moment of reception;
    the officer who receives it holds that step when it is his role's (checking the papers
    at the counter), else it waits in the step's pool."""
    cal = deadlines.calendar_for(dossier)
    dossier.code = next_dossier_code(dossier.receiving_agency, now)
    dossier.received_at = now
    dossier.process = dossier.procedure.current_process(now.date())
    dossier.clock_start, dossier.budget_seconds, dossier.due_at = deadlines.initial_clock(
        dossier.procedure, now, cal
    )
    dossier.paused_seconds = 0
    dossier.appointment_at = dossier.due_at
    dossier.fee_due = sum(fee.compute(dossier.quantity) for fee in dossier.procedure.fees.all())
    return open_first_step(dossier, now, holder=actor)


def _check_procedure(procedure: Procedure, agency: Agency) -> None:
    if not procedure.is_active:
        raise InvalidInput({"procedure": [_("Thủ tục này không còn áp dụng.")]})
    if procedure.agencies.filter(pk=agency.pk).exists():
        return
    if procedure.agencies.exists():  # a procedure of no named agency is for any of them
        raise InvalidInput(
            {"procedure": [_("%(a)s không giải quyết thủ tục này.") % {"a": agency.name}]}
        )


def dossier_create_draft(
    *,
    owner,
    procedure: Procedure,
    agency: Agency,
    applicant: dict,
    channel=Channel.ONLINE,
    delivery=Delivery.ELECTRONIC,
    delivery_address: str = "",
    summary: str = "",
    quantity: int = 1,
    files=(),
    now=None,
) -> Dossier:
    """A citizen's draft (nháp): invisible to staff until submitted."""
    _check_procedure(procedure, agency)
    now = now_or(now)
    with transaction.atomic():
        dossier = Dossier.objects.create(
            procedure=procedure,
            owner=owner,
            receiving_agency=agency,
            receiving_unit_id=agency.unit_id,
            current_agency=agency,
            channel=channel,
            delivery=delivery,
            delivery_address=delivery_address,
            summary=summary,
            quantity=quantity,
            state=State.DRAFT,
            **_applicant_values(applicant),
        )
        _store_inputs(dossier, files, owner)
        record(dossier, "create", owner, from_state="", now=now, note=_("Tạo hồ sơ nháp"))
    return dossier


def dossier_submit(*, actor, dossier: Dossier, expected_version=None, now=None) -> ActionResult:
    now = now_or(now)
    with transaction.atomic():
        dossier, t = begin("submit", actor, dossier, expected_version)
        dossier.submitted_at = now
        result = finish(dossier, t, actor, now)
    return result


def dossier_receive_at_counter(
    *,
    actor,
    procedure: Procedure,
    agency: Agency,
    applicant: dict,
    channel=Channel.COUNTER,
    delivery=Delivery.COUNTER,
    delivery_address: str = "",
    summary: str = "",
    quantity: int = 1,
    files=(),
    note: str = "",
    checklist: dict | None = None,
    now=None,
) -> ActionResult:
    """Receive a complete dossier presented at the counter (or arriving by post): code, due
    time, receipt (Form 01) and the first step, all in one transaction."""
    t = transition("receive")
    if not can(actor, ACTION_PERMISSIONS["receive"], agency):
        raise PermissionDenied(_("Bạn không được tiếp nhận hồ sơ tại %(a)s.") % {"a": agency.name})
    if channel not in (Channel.COUNTER, Channel.POST):
        raise InvalidInput({"channel": [_("Hồ sơ trực tuyến được tiếp nhận từ hàng chờ.")]})
    if delivery == Delivery.POST and not delivery_address.strip():
        raise InvalidInput({"delivery_address": [_("Nhập địa chỉ nhận kết quả qua bưu chính.")]})
    _check_procedure(procedure, agency)
    if quantity < 1:
        raise InvalidInput({"quantity": [_("Số lượng phải từ 1 trở lên.")]})
    now = now_or(now)
    with transaction.atomic():
        dossier = Dossier.objects.create(
            procedure=procedure,
            receiving_agency=agency,
            receiving_unit_id=agency.unit_id,
            current_agency=agency,
            channel=channel,
            delivery=delivery,
            delivery_address=delivery_address,
            summary=summary,
            quantity=quantity,
            state=State.RECEIVED,
            submitted_at=now,
            **_applicant_values(applicant),
        )
        stored = _store_inputs(dossier, files, actor)
        step = _start_clock(dossier, now, actor)
        event = record(
            dossier,
            t.action,
            actor,
            from_state="",
            now=now,
            note=note,
            data={
                "files": [f.sha256 for f in stored],
                "form": t.form,
                **({"checklist": checklist} if checklist else {}),
            },
            step=step,
        )
    return ActionResult(dossier, event)


def dossier_receive(*, actor, dossier: Dossier, note: str = "", expected_version=None, now=None):
    """Receive a dossier submitted online, after checking it is complete."""
    now = now_or(now)
    with transaction.atomic():
        dossier, t = begin("receive", actor, dossier, expected_version)
        step = _start_clock(dossier, now, actor)
        result = finish(dossier, t, actor, now, note=note, data={"form": t.form}, step=step)
    return result


def dossier_request_completion(
    *, actor, dossier: Dossier, missing_items=None, note: str = "", expected_version=None, now=None
) -> ActionResult:
    """Send an incomplete online dossier back (Form 02) with everything missing, at once."""
    items = require_items(missing_items, "missing_items")
    now = now_or(now)
    with transaction.atomic():
        dossier, t = begin("request_completion", actor, dossier, expected_version)
        result = finish(
            dossier, t, actor, now, note=note, data={"missing_items": items, "form": t.form}
        )
    return result


def dossier_refuse_reception(
    *, actor, dossier: Dossier, reasons: str = "", expected_version=None, now=None
) -> ActionResult:
    reasons = require_text(reasons, "reasons", _("Nêu rõ lý do từ chối tiếp nhận."))
    now = now_or(now)
    with transaction.atomic():
        dossier, t = begin("refuse_reception", actor, dossier, expected_version)
        dossier.result_summary = reasons
        result = finish(dossier, t, actor, now, note=reasons, data={"form": t.form})
    return result


def dossier_withdraw(
    *, actor, dossier: Dossier, reasons: str = "", expected_version=None, now=None
):
    reasons = require_text(reasons, "reasons", _("Ghi lý do rút hồ sơ theo đề nghị của người nộp."))
    now = now_or(now)
    with transaction.atomic():
        dossier, t = begin("withdraw", actor, dossier, expected_version)
        end_pause(dossier, now)
        dossier.finished_at = now
        close_open_steps(dossier, now)
        result = finish(dossier, t, actor, now, note=reasons)
    return result


def dossier_return_result(
    *, actor, dossier: Dossier, note: str = "", expected_version=None, now=None
):
    now = now_or(now)
    with transaction.atomic():
        dossier, t = begin("return_result", actor, dossier, expected_version)
        if not dossier.files.filter(purpose=DossierFile.Purpose.RESULT).exists():
            raise NotAllowed(_("Kết quả chưa được số hóa: đính kèm tệp kết quả trước khi trả."))
        dossier.finished_at = now
        close_open_steps(dossier, now)
        result = finish(dossier, t, actor, now, note=note, data={"delivery": dossier.delivery})
    return result


def dossier_turn_away_at_counter(
    *,
    actor,
    procedure: Procedure,
    agency: Agency,
    applicant: dict,
    missing_items=None,
    reasons: str = "",
    summary: str = "",
    now=None,
) -> ActionResult:
    """Record a dossier presented at the counter but not received: incomplete (Form 02, every
    missing item at once) or out of scope (Form 03). It gets no code; the record and its form
    show the applicant what to do, and count in the statistics of refusals."""
    refuse = not missing_items
    action = "refuse_reception" if refuse else "request_completion"
    if not can(actor, ACTION_PERMISSIONS[action], agency):
        raise PermissionDenied(_("Bạn không được tiếp nhận hồ sơ tại %(a)s.") % {"a": agency.name})
    if refuse:
        reasons = require_text(reasons, "reasons", _("Nêu rõ lý do từ chối tiếp nhận."))
    else:
        missing_items = require_items(missing_items, "missing_items")
    now = now_or(now)
    with transaction.atomic():
        dossier = Dossier.objects.create(
            procedure=procedure,
            receiving_agency=agency,
            receiving_unit_id=agency.unit_id,
            current_agency=agency,
            channel=Channel.COUNTER,
            summary=summary,
            state=State.SUBMITTED,
            submitted_at=now,
            **_applicant_values(applicant),
        )
        record(dossier, "create", actor, from_state="", now=now, note=_("Nộp trực tiếp tại quầy"))
        if refuse:
            return dossier_refuse_reception(actor=actor, dossier=dossier, reasons=reasons, now=now)
        return dossier_request_completion(
            actor=actor, dossier=dossier, missing_items=missing_items, now=now
        )
