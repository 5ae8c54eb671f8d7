"""Opening and closing the steps of a dossier's process, across agencies and levels."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from motcua.catalog.models import ProcessStep
from motcua.org.models import Agency, Role, Tier

from .. import deadlines, ownership
from ..errors import NotAllowed
from ..models import Dossier, DossierStep


def _agency_for(process_step: ProcessStep | None, dossier: Dossier) -> Agency:
    """Who does a step: its named agency, or the People's Committee of the level it hands
    over to (liên thông), or else the agency that received the dossier."""
    if process_step is None:
        return dossier.receiving_agency
    if process_step.agency_id:
        return process_step.agency
    if not process_step.handover:
        return dossier.receiving_agency
    unit = dossier.receiving_unit
    while unit is not None and unit.tier != process_step.handover:
        unit = unit.parent
    if unit is None:
        # Two-tier provinces have no districts: a district step stays with the commune.
        return dossier.receiving_agency
    agency = (
        Agency.objects.filter(unit=unit, kind=Agency.Kind.PEOPLES_COMMITTEE, valid_to__isnull=True)
        .order_by("id")
        .first()
    )
    return agency or dossier.receiving_agency


def _open(
    dossier, order, process_step, name, role, agency, budget_days, now, assignee=None, holder=None
):
    """Open a step; `holder` takes it at once when he belongs to its pool (one INSERT)."""
    cal = deadlines.calendar_for(dossier)
    step = DossierStep(
        dossier=dossier,
        order=order,
        process_step=process_step,
        name=name,
        role=role,
        agency=agency,
        division_code=process_step.division_code if process_step else "",
        assignee=assignee,
        budget_seconds=deadlines.step_budget_seconds(budget_days, cal),
        started_at=now,
    )
    deadlines.recompute_step_due(step, cal, deadlines.previous_step_due(step))
    if assignee is None and holder is not None and ownership.is_member(holder, step):
        step.assignee = assignee = holder
    step.save()
    dossier.current_agency = agency
    dossier.assignee = assignee
    return step


def open_first_step(dossier: Dossier, now: datetime, holder=None) -> DossierStep:
    process = dossier.process
    first = process.steps.order_by("order").first() if process else None
    if first is None:
        return _open(
            dossier,
            1,
            None,
            _("Giải quyết hồ sơ"),
            Role.SPECIALIST,
            dossier.receiving_agency,
            dossier.procedure.processing_days,
            now,
            holder=holder,
        )
    agency = _agency_for(first, dossier)
    return _open(
        dossier, 1, first, first.name, first.role, agency, first.budget, now, holder=holder
    )


@dataclass(frozen=True)
class NextStep:
    """Where a hand-over goes: the process's next step (or an extra one outside it)."""

    process_step: ProcessStep | None
    name: str
    role: str
    agency: Agency
    division_code: str
    budget: Decimal


def next_step(dossier: Dossier, *, to_agency: Agency | None = None) -> NextStep | None:
    """The step a hand-over would open now, without opening it; None after the last one."""
    current = dossier.steps.filter(finished_at__isnull=True).order_by("-order").first()
    following = None
    if dossier.process is not None:
        last_order = current.process_step.order if current and current.process_step else 0
        following = dossier.process.steps.filter(order__gt=last_order).order_by("order").first()
    if following is None:
        if to_agency is None:
            return None
        # An extra hand-over outside the defined process, to the agency the officer chose.
        return NextStep(None, _("Xử lý liên thông"), Role.SPECIALIST, to_agency, "", Decimal(0))
    return NextStep(
        following,
        following.name,
        following.role,
        to_agency or _agency_for(following, dossier),
        following.division_code,
        following.budget,
    )


def open_next_step(
    dossier: Dossier, now: datetime, *, to_agency: Agency | None = None, assignee=None
) -> DossierStep:
    """Close the current step and open the next one of the process."""
    plan = next_step(dossier, to_agency=to_agency)
    if plan is None:
        raise NotAllowed(_("Đây là bước cuối của quy trình: không còn bước nào để chuyển."))
    done = dossier.steps.count()
    dossier.steps.filter(finished_at__isnull=True).update(finished_at=now)
    step = _open(
        dossier,
        done + 1,
        plan.process_step,
        plan.name,
        plan.role,
        plan.agency,
        plan.budget,
        now,
        assignee,
    )
    return step


def tier_label(agency: Agency) -> str:
    return Tier(agency.unit.tier).label
