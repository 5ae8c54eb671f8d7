"""The machinery every dossier action shares: lock, check, record the event, notify."""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core import pagecache
from motcua.org.models import Role
from motcua.org.permissions import can
from motcua.org.selectors import active_assignments

from .. import deadlines, ownership
from ..audit import event_hash
from ..errors import Conflict, InvalidInput, NotAllowed
from ..lifecycle import APPLICANT, RECEIVING, SAME, State, Transition, transition
from ..models import Dossier, DossierEvent, DossierStep, Pause
from ..permissions import ACTION_PERMISSIONS
from ..selectors import lookup_cache_keys
from ..signals import dossier_changed


@dataclass
class ActionResult:
    dossier: Dossier
    event: DossierEvent
    warnings: list[str] = field(default_factory=list)


def may_act(actor, t: Transition, dossier: Dossier) -> bool:
    """Whether `actor` may take the action `t` on `dossier` (ignoring its state)."""
    if APPLICANT in t.who and dossier.owner_id is not None and actor.pk == dossier.owner_id:
        return True
    if not t.staff_roles:
        return False
    scope = dossier.reception_scope() if t.scope == RECEIVING else dossier.permission_scope()
    return can(actor, ACTION_PERMISSIONS[t.action], scope)


def check_allowed(actor, t: Transition, dossier: Dossier) -> None:
    if not may_act(actor, t, dossier):
        raise PermissionDenied(_("Bạn không có quyền “%(a)s” với hồ sơ này.") % {"a": t.label})
    if dossier.state not in t.sources:
        raise NotAllowed(
            _("Không thể “%(a)s” khi hồ sơ đang ở trạng thái “%(s)s”.")
            % {"a": t.label, "s": State(dossier.state).label}
        )


def lock(dossier: Dossier | int, expected_version: int | None = None) -> Dossier:
    """Re-read the dossier under a row lock (must be inside a transaction)."""
    pk = dossier.pk if isinstance(dossier, Dossier) else dossier
    locked = (
        Dossier.objects.select_for_update()
        .select_related("procedure", "receiving_unit", "receiving_agency", "current_agency")
        .get(pk=pk)
    )
    if expected_version is not None and locked.version != expected_version:
        raise Conflict()
    return locked


def step_refusal(actor, t: Transition, dossier: Dossier, step: DossierStep | None) -> str | None:
    """Why `actor` may not take `t` at the dossier's present step, or None.

    The step's own work is its owner's (motcua.dossiers.ownership): the person who holds the
    step, or, while nobody does, a member of its pool, who takes it by acting. A clerk may
    register the result once it is approved; those who may stop a dossier may resume it.
    """
    if t.action == "claim":
        if step is None:
            return ownership.refusal(None)
        if step.assignee_id is not None:
            if step.assignee_id == actor.pk:
                return _("Bạn đã nhận xử lý bước “%(s)s”.") % {"s": step.name}
            return ownership.refusal(step)
        if not ownership.is_member(actor, step):
            return _("Bạn không thuộc bộ phận thực hiện bước “%(s)s”.") % {"s": step.name}
        return None
    if t.action == "approve" and dossier.approved_at is not None:
        return _("Hồ sơ đã được phê duyệt trước đó.")
    if t.action == "mark_result_ready" and dossier.approved_at is None:
        return _("Kết quả chưa được lãnh đạo phê duyệt.")
    if t.action not in ownership.OWNER_ONLY and t.action != "resume":
        return None
    if step is not None and (
        step.assignee_id == actor.pk
        or (step.assignee_id is None and ownership.is_member(actor, step))
    ):
        return None
    if t.action == "resume" and may_act(actor, transition("suspend"), dossier):
        return None
    if t.action == "mark_result_ready" and dossier.approved_at is not None:
        clerk = any(
            a.role == Role.CLERK and a.agency_id == dossier.current_agency_id
            for a in active_assignments(actor)
        )
        if clerk:
            return None
    return ownership.refusal(step)


def offered(actor, t: Transition, dossier: Dossier, step: DossierStep | None) -> bool:
    """Whether the staff screen shows `t` to `actor`: allowed by role and by the step."""
    return may_act(actor, t, dossier) and step_refusal(actor, t, dossier, step) is None


def begin(action: str, actor, dossier, expected_version: int | None) -> tuple[Dossier, Transition]:
    t = transition(action)
    locked = lock(dossier, expected_version)
    check_allowed(actor, t, locked)
    if t.action in ownership.OWNER_ONLY or t.action in ("claim", "resume"):
        step = current_step(locked)
        refused = step_refusal(actor, t, locked, step)
        if refused is not None:
            raise NotAllowed(refused)
        if t.action in ownership.OWNER_ONLY and step is not None and step.assignee_id is None:
            # A member of the step's pool takes it by doing its work.
            take(locked, step, actor)
    return locked, t


def take(dossier: Dossier, step: DossierStep, user) -> None:
    step.assignee = dossier.assignee = user
    step.save(update_fields=["assignee"])


def actor_agency(actor, dossier: Dossier):
    agencies = [a.agency for a in active_assignments(actor) if a.agency_id]
    for agency in agencies:
        if agency.pk in (dossier.current_agency_id, dossier.receiving_agency_id):
            return agency
    return getattr(actor, "agency", None) if getattr(actor, "is_staff", False) else None


def record(
    dossier: Dossier,
    action: str,
    actor,
    *,
    from_state: str,
    now: datetime,
    note: str = "",
    data: dict | None = None,
    step: DossierStep | None = None,
) -> DossierEvent:
    """Append the event, chain its hash, bump the dossier's version and save the dossier."""
    # The audit keeps event_head equal to the last event's hash: blank means no event yet.
    last = dossier.events.aggregate(last=Max("seq"))["last"] or 0 if dossier.event_head else 0
    is_person = getattr(actor, "pk", None) is not None
    event = DossierEvent(
        dossier=dossier,
        seq=last + 1,
        action=action,
        from_state=from_state or "",
        to_state=dossier.state,
        actor=actor if is_person else None,
        actor_name=str(actor) if is_person else _("Hệ thống"),
        actor_agency=actor_agency(actor, dossier) if is_person else None,
        at=now,
        note=note,
        step=step,
        data=data or {},
        prev_hash=dossier.event_head,
    )
    event.hash = event_hash(event)
    event.save()
    dossier.event_head = event.hash
    dossier.version += 1
    dossier.save()
    # The indicators' counters follow in this same transaction (motcua.monitoring).
    dossier_changed.send(sender=Dossier, dossier=dossier, event=event)
    if dossier.code:
        # The public lookup shows state and timeline: its cached answers go when this commits.
        pagecache.drop_on_commit(*lookup_cache_keys(dossier.code))
    _notify(event, dossier)
    return event


def _notify(event: DossierEvent, dossier: Dossier) -> None:
    """The applicant's messages about the event, in this transaction (motcua.notify)."""
    from motcua.notify.services import queue_for_dossier_event

    queue_for_dossier_event(event, dossier)


def require_text(value, field_name: str, message: str) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if not text:
        raise InvalidInput({field_name: [message]})
    return text


def require_items(value, field_name: str) -> list[str]:
    if isinstance(value, str):
        value = [line for line in value.splitlines()]
    items = [str(v).strip() for v in (value or []) if str(v).strip()]
    if not items:
        raise InvalidInput({field_name: [_("Liệt kê đầy đủ các giấy tờ cần bổ sung, hoàn thiện.")]})
    return items


def current_step(dossier: Dossier) -> DossierStep | None:
    return dossier.steps.filter(finished_at__isnull=True).order_by("-order").first()


def close_open_steps(dossier: Dossier, now: datetime) -> None:
    dossier.steps.filter(finished_at__isnull=True).update(finished_at=now)


def start_pause(dossier: Dossier, kind: str, now: datetime, reason: str) -> Pause:
    return Pause.objects.create(dossier=dossier, kind=kind, started_at=now, reason=reason)


def end_pause(dossier: Dossier, now: datetime, *, restart: bool = False) -> Pause | None:
    """Close the open pause; its working time moves the dossier's and the step's due times."""
    pause = dossier.pauses.filter(ended_at__isnull=True).first()
    if pause is None:
        return None
    cal = deadlines.calendar_for(dossier)
    pause.ended_at = now
    pause.working_seconds = max(0, cal.working_seconds_between(pause.started_at, now))
    pause.save(update_fields=["ended_at", "working_seconds"])
    if restart:
        dossier.clock_start, dossier.paused_seconds = now, 0
    else:
        dossier.paused_seconds += pause.working_seconds
    deadlines.recompute_due(dossier, cal)
    if dossier.apologies == 0:
        dossier.appointment_at = dossier.due_at
    step = current_step(dossier)
    if step is not None:
        step.paused_seconds += pause.working_seconds
        deadlines.recompute_step_due(step, cal, deadlines.previous_step_due(step))
        step.save(update_fields=["paused_seconds", "due_at"])
    return pause


def move(dossier: Dossier, t: Transition) -> str:
    """Apply the table's target state; returns the state it came from."""
    before = dossier.state
    if t.target is not SAME:
        dossier.state = t.target
    return before


def finish(
    dossier: Dossier,
    t: Transition,
    actor,
    now: datetime,
    *,
    note: str = "",
    data: dict | None = None,
    step: DossierStep | None = None,
    warnings=(),
) -> ActionResult:
    """The last move of every action: the table's target state, then its event."""
    before = move(dossier, t)
    event = record(
        dossier, t.action, actor, from_state=before, now=now, note=note, data=data, step=step
    )
    return ActionResult(dossier, event, list(warnings))


def perform(action: str, *, actor, dossier: Dossier, **params) -> ActionResult:
    """Run any action of the table by name (the API and the staff screens use this)."""
    from . import processing, reception

    handler = getattr(reception, f"dossier_{action}", None) or getattr(
        processing, f"dossier_{action}", None
    )
    if handler is None:
        raise NotAllowed(_("Thao tác không tồn tại: %(a)s") % {"a": action})
    return handler(actor=actor, dossier=dossier, **params)


def now_or(value: datetime | None) -> datetime:
    return value or timezone.now()
