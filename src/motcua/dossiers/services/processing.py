"""Actions inside the agencies: assignment, hand-overs, supplements, stops, approval, result."""

import contextlib
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.org.models import Agency, Role, User
from motcua.org.permissions import VIEW_STAFF_SITE, can

from .. import ownership
from ..errors import InvalidInput, NotAllowed
from ..models import DossierFile, Pause
from .core import (
    begin,
    close_open_steps,
    current_step,
    end_pause,
    finish,
    now_or,
    require_items,
    require_text,
    start_pause,
    take,
)
from .reception import _store_inputs
from .results import signature_refusal
from .steps import open_next_step


def _staff_in(user: User | None, agency: Agency, field_name: str) -> User:
    if user is None or not getattr(user, "is_active", False):
        raise InvalidInput({field_name: [_("Chọn cán bộ xử lý.")]})
    if not can(user, VIEW_STAFF_SITE, agency):
        raise InvalidInput(
            {field_name: [_("%(u)s không công tác tại %(a)s.") % {"u": user, "a": agency.name}]}
        )
    return user


def dossier_assign(*, actor, dossier, assignee=None, note="", expected_version=None, now=None):
    now = now_or(now)
    with transaction.atomic():
        dossier, t = begin("assign", actor, dossier, expected_version)
        assignee = _staff_in(assignee, dossier.current_agency, "assignee")
        step = current_step(dossier)
        dossier.assignee = assignee
        if step is not None:
            step.assignee = assignee
            step.save(update_fields=["assignee"])
        result = finish(
            dossier,
            t,
            actor,
            now,
            note=note,
            step=step,
            data={"assignee": assignee.pk, "assignee_name": str(assignee)},
        )
    return result


def dossier_claim(*, actor, dossier, note="", expected_version=None, now=None):
    """Take the current step from its pool ("Chờ nhận việc" → "Tôi đang xử lý")."""
    now = now_or(now)
    with transaction.atomic():
        dossier, t = begin("claim", actor, dossier, expected_version)
        step = current_step(dossier)
        take(dossier, step, actor)
        result = finish(
            dossier,
            t,
            actor,
            now,
            note=note,
            step=step,
            data={"assignee": actor.pk, "assignee_name": str(actor), "step": step.name},
        )
    return result


def dossier_forward(
    *,
    actor,
    dossier,
    to_agency: Agency | None = None,
    assignee=None,
    note="",
    expected_version=None,
    now=None,
):
    """Hand the dossier to the next step of its process; across agencies and levels when the
    step says so (liên thông), or to `to_agency` when the officer chooses one."""
    now = now_or(now)
    with transaction.atomic():
        dossier, t = begin("forward", actor, dossier, expected_version)
        if (
            to_agency is not None
            and to_agency.valid_to is not None
            and to_agency.valid_to < now.date()
        ):
            raise InvalidInput({"to_agency": [_("Cơ quan nhận không còn hoạt động.")]})
        from_agency = dossier.current_agency
        step = open_next_step(dossier, now, to_agency=to_agency)
        if assignee is not None:
            _staff_in(assignee, step.agency, "assignee")
            if not ownership.is_member(assignee, step):
                raise InvalidInput(
                    {
                        "assignee": [
                            _("%(u)s không thuộc bộ phận thực hiện bước “%(s)s”.")
                            % {"u": assignee, "s": step.name}
                        ]
                    }
                )
            take(dossier, step, assignee)
        result = finish(
            dossier,
            t,
            actor,
            now,
            note=note,
            step=step,
            data={
                "from_agency": from_agency.code,
                "to_agency": step.agency.code,
                "to_agency_name": step.agency.name,
                "step": step.name,
            },
        )
    return result


def dossier_request_supplement(
    *, actor, dossier, missing_items=None, note="", expected_version=None, now=None
):
    """Ask for more (Form 02), all missing items at once; the clock stops until it arrives.

    A second request is allowed but warned about: the national scoring counts a dossier with
    more than one supplement request as late.
    """
    items = require_items(missing_items, "missing_items")
    now = now_or(now)
    with transaction.atomic():
        dossier, t = begin("request_supplement", actor, dossier, expected_version)
        warnings = []
        if dossier.supplement_requests >= 1:
            warnings.append(
                _("Đây là lần yêu cầu bổ sung thứ %(n)s: hồ sơ sẽ bị tính là trễ hạn.")
                % {"n": dossier.supplement_requests + 1}
            )
        dossier.supplement_requests += 1
        start_pause(dossier, Pause.Kind.SUPPLEMENT, now, "\n".join(items))
        result = finish(
            dossier,
            t,
            actor,
            now,
            note=note,
            step=current_step(dossier),
            data={
                "missing_items": items,
                "form": t.form,
                "request_no": dossier.supplement_requests,
            },
            warnings=warnings,
        )
    return result


def dossier_receive_supplement(
    *, actor, dossier, files=(), note="", expected_version=None, now=None
):
    now = now_or(now)
    restart = settings.MOTCUA["SUPPLEMENT_RULE"] == "restart"
    with transaction.atomic():
        dossier, t = begin("receive_supplement", actor, dossier, expected_version)
        stored = _store_inputs(dossier, files, actor, purpose=DossierFile.Purpose.SUPPLEMENT)
        pause = end_pause(dossier, now, restart=restart)
        result = finish(
            dossier,
            t,
            actor,
            now,
            note=note,
            step=current_step(dossier),
            data={
                "files": [f.sha256 for f in stored],
                "paused_seconds": pause.working_seconds if pause else 0,
                "rule": "restart" if restart else "pause",
            },
        )
    return result


def dossier_suspend(*, actor, dossier, reasons="", expected_version=None, now=None):
    """Stop processing (Form 05): waiting on something outside; the clock stops."""
    reasons = require_text(reasons, "reasons", _("Nêu rõ lý do dừng giải quyết."))
    now = now_or(now)
    with transaction.atomic():
        dossier, t = begin("suspend", actor, dossier, expected_version)
        start_pause(dossier, Pause.Kind.SUSPENSION, now, reasons)
        result = finish(
            dossier, t, actor, now, note=reasons, step=current_step(dossier), data={"form": t.form}
        )
    return result


def dossier_resume(*, actor, dossier, note="", expected_version=None, now=None):
    now = now_or(now)
    with transaction.atomic():
        dossier, t = begin("resume", actor, dossier, expected_version)
        pause = end_pause(dossier, now)
        result = finish(
            dossier,
            t,
            actor,
            now,
            note=note,
            step=current_step(dossier),
            data={"paused_seconds": pause.working_seconds if pause else 0},
        )
    return result


def dossier_approve(*, actor, dossier, note="", expected_version=None, now=None):
    """Approve the result. At the approval step (a leader's) the next step, the return, opens;
    elsewhere the approval is recorded and the process goes on."""
    now = now_or(now)
    with transaction.atomic():
        dossier, t = begin("approve", actor, dossier, expected_version)
        if dossier.approved_at is not None:
            raise NotAllowed(_("Hồ sơ đã được phê duyệt trước đó."))
        dossier.approved_at, dossier.approved_by = now, actor
        step = current_step(dossier)
        if step is not None and step.role in (Role.AGENCY_LEADER, Role.DIVISION_HEAD):
            # If approval was the last step, the result simply waits to be marked ready.
            with contextlib.suppress(NotAllowed):
                step = open_next_step(dossier, now)
        result = finish(dossier, t, actor, now, note=note, step=step)
    return result


def dossier_reject(*, actor, dossier, reasons="", expected_version=None, now=None):
    """Refuse to grant (not eligible), with the reasons written to the applicant."""
    reasons = require_text(reasons, "reasons", _("Nêu rõ lý do từ chối giải quyết."))
    now = now_or(now)
    with transaction.atomic():
        dossier, t = begin("reject", actor, dossier, expected_version)
        dossier.result_summary = reasons
        dossier.finished_at = dossier.result_ready_at = now
        close_open_steps(dossier, now)
        result = finish(dossier, t, actor, now, note=reasons)
    return result


def dossier_apologize(
    *,
    actor,
    dossier,
    new_appointment: datetime | None = None,
    reasons="",
    expected_version=None,
    now=None,
):
    """Apologise and set a new appointment (Form 04); the dossier still counts as late."""
    reasons = require_text(reasons, "reasons", _("Nêu lý do chậm trễ."))
    now = now_or(now)
    if new_appointment is None:
        raise InvalidInput({"new_appointment": [_("Chọn ngày giờ hẹn trả kết quả mới.")]})
    if timezone.is_naive(new_appointment):
        new_appointment = timezone.make_aware(new_appointment)
    with transaction.atomic():
        dossier, t = begin("apologize", actor, dossier, expected_version)
        floor = max(filter(None, [dossier.appointment_at, dossier.due_at, now]))
        if new_appointment <= floor:
            raise InvalidInput(
                {"new_appointment": [_("Ngày hẹn mới phải sau ngày hẹn hiện tại và sau bây giờ.")]}
            )
        dossier.appointment_at = new_appointment
        dossier.apologies += 1
        result = finish(
            dossier,
            t,
            actor,
            now,
            note=reasons,
            data={"new_appointment": new_appointment.isoformat(), "form": t.form},
        )
    return result


def dossier_mark_result_ready(
    *, actor, dossier, files=(), result_summary="", note="", expected_version=None, now=None
):
    """The approved result is digitized (its file stored) and waits for the applicant."""
    now = now_or(now)
    with transaction.atomic():
        dossier, t = begin("mark_result_ready", actor, dossier, expected_version)
        if dossier.approved_at is None:
            raise NotAllowed(_("Kết quả chưa được lãnh đạo phê duyệt."))
        stored = _store_inputs(dossier, files, actor, purpose=DossierFile.Purpose.RESULT)
        if not dossier.files.filter(purpose=DossierFile.Purpose.RESULT).exists():
            raise InvalidInput({"files": [_("Đính kèm bản điện tử của kết quả giải quyết.")]})
        refused = signature_refusal(dossier)
        if refused:
            raise InvalidInput({"files": [refused]})
        dossier.result_ready_at = now
        if result_summary:
            dossier.result_summary = result_summary
        result = finish(
            dossier,
            t,
            actor,
            now,
            note=note,
            step=current_step(dossier),
            data={"files": [f.sha256 for f in stored]},
        )
    return result
