"""Due times of dossiers and steps: the working calendar, the procedure's time, and pauses.

The clock of a dossier is (clock_start, budget_seconds, paused_seconds): its due time is the
moment when budget + paused working seconds have elapsed from clock_start. A pause adds its
working time when it ends; under the "restart" rule a supplement restarts the clock instead.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.catalog.models import Procedure, TimeUnit
from motcua.core.calendar import WorkingCalendar, default_calendar

from .lifecycle import FINISHED, PAUSED, State
from .models import Dossier, DossierStep, Timeliness


def calendar_for(dossier: Dossier) -> WorkingCalendar:
    return default_calendar(dossier.receiving_unit_id)


def initial_clock(procedure: Procedure, received_at: datetime, cal: WorkingCalendar):
    """(clock_start, budget_seconds, due_at) for a dossier received at `received_at`."""
    if procedure.processing_unit == TimeUnit.SAME_DAY:
        start = cal.next_working_moment(received_at)
        day = start.date()
        local = timezone.localtime(received_at)
        if procedure.cutoff and local.date() == day and local.time() > procedure.cutoff:
            day = cal.next_working_moment(cal.end_of_working_day(day)).date()
        due = cal.end_of_working_day(day)
        return received_at, cal.working_seconds_between(received_at, due), due
    budget = int(procedure.processing_days * cal.day_seconds)
    return received_at, budget, cal.add_working_seconds(received_at, budget)


def step_budget_seconds(budget_days: Decimal, cal: WorkingCalendar) -> int:
    return int(Decimal(budget_days) * cal.day_seconds)


def recompute_due(dossier: Dossier, cal: WorkingCalendar) -> None:
    dossier.due_at = cal.add_working_seconds(
        dossier.clock_start, dossier.budget_seconds + dossier.paused_seconds
    )


def recompute_step_due(
    step: DossierStep, cal: WorkingCalendar, previous_due: datetime | None = None
) -> None:
    """The step's due time: its budget from its start, plus its pauses; never before the
    previous step's due time (plus the same pauses). Work finished early gives the later
    steps slack; it never makes a later step due before an earlier one."""
    step.due_at = cal.add_working_seconds(
        step.started_at, step.budget_seconds + step.paused_seconds
    )
    if previous_due is not None:
        floor = cal.add_working_seconds(previous_due, step.paused_seconds)
        step.due_at = max(step.due_at, floor)


def previous_step_due(step: DossierStep) -> datetime | None:
    if step.order <= 1:
        return None
    return (
        type(step)
        .objects.filter(dossier_id=step.dossier_id, order=step.order - 1)
        .values_list("due_at", flat=True)
        .first()
    )


def due_soon_seconds(cal: WorkingCalendar) -> int:
    return int(Decimal(str(settings.MOTCUA["DUE_SOON_DAYS"])) * cal.day_seconds)


def _judge(due: datetime, finished: datetime | None, paused_since, now, cal) -> str:
    if finished is not None:
        if finished > due:
            return Timeliness.LATE
        if timezone.localtime(finished).date() < timezone.localtime(due).date():
            return Timeliness.EARLY
        return Timeliness.ON_TIME
    moment = paused_since or now
    if moment > due:
        return Timeliness.LATE
    if paused_since is not None:
        return Timeliness.PAUSED
    if cal.working_seconds_between(now, due) <= due_soon_seconds(cal):
        return Timeliness.DUE_SOON
    return Timeliness.IN_TIME


def dossier_timeliness(
    dossier: Dossier, now: datetime | None = None, cal: WorkingCalendar | None = None
) -> str:
    """Early / on time / late when finished; in time / due soon / late / paused while open.

    Early means finished on a day before the due day; a returned dossier is judged by when its
    result was ready. More than one supplement request makes
    a dossier late, as the national scoring counts it.
    """
    if dossier.due_at is None:
        return Timeliness.NOT_STARTED
    now = now or timezone.now()
    cal = cal or calendar_for(dossier)
    finished = dossier.finished_at if dossier.state in FINISHED else None
    if dossier.state == State.RETURNED and dossier.result_ready_at:
        # The agency's work ended when the result was ready; the applicant's pick-up day
        # is not held against it.
        finished = dossier.result_ready_at
    paused_since = None
    if dossier.state in PAUSED:
        open_pause = dossier.pauses.filter(ended_at__isnull=True).first()
        paused_since = open_pause.started_at if open_pause else None
    verdict = _judge(dossier.due_at, finished, paused_since, now, cal)
    if dossier.supplement_requests > 1 and verdict in (Timeliness.EARLY, Timeliness.ON_TIME):
        return Timeliness.LATE
    return verdict


def step_timeliness(step: DossierStep, now: datetime | None = None, cal=None) -> str:
    cal = cal or calendar_for(step.dossier)
    paused_since = None
    if step.finished_at is None and step.dossier.state in PAUSED:
        open_pause = step.dossier.pauses.filter(ended_at__isnull=True).first()
        paused_since = open_pause.started_at if open_pause else None
    return _judge(step.due_at, step.finished_at, paused_since, now or timezone.now(), cal)


@dataclass
class DueExplanation:
    """Why a dossier is due when it is: printable on the control sheet and the receipt."""

    received_at: datetime
    counting_from: datetime
    processing: str
    budget_days: Decimal
    skipped: list[tuple[date, str]] = field(default_factory=list)
    pauses: list[tuple[str, datetime, datetime | None, Decimal]] = field(default_factory=list)
    restarted_at: datetime | None = None
    due_at: datetime | None = None
    appointment_at: datetime | None = None

    def lines(self) -> list[str]:
        fmt = "%H:%M %d/%m/%Y"
        out = [
            _("Tiếp nhận lúc %(t)s.") % {"t": timezone.localtime(self.received_at).strftime(fmt)},
            _("Thời hạn giải quyết: %(p)s.") % {"p": self.processing},
            _("Bắt đầu tính thời gian từ %(t)s (chỉ tính giờ làm việc).")
            % {"t": timezone.localtime(self.counting_from).strftime(fmt)},
        ]
        if self.skipped:
            days = "; ".join(f"{d:%d/%m/%Y} ({why})" for d, why in self.skipped)
            out.append(_("Không tính các ngày nghỉ: %(d)s.") % {"d": days})
        for kind, start, end, days in self.pauses:
            out.append(
                _("%(k)s từ %(s)s đến %(e)s: cộng thêm %(n)s ngày làm việc.")
                % {
                    "k": kind,
                    "s": timezone.localtime(start).strftime(fmt),
                    "e": timezone.localtime(end).strftime(fmt) if end else _("nay"),
                    "n": f"{days.normalize():f}".replace(".", ","),
                }
            )
        if self.restarted_at:
            out.append(
                _("Tính lại toàn bộ thời hạn từ khi nhận đủ hồ sơ bổ sung lúc %(t)s.")
                % {"t": timezone.localtime(self.restarted_at).strftime(fmt)}
            )
        if self.due_at:
            out.append(
                _("Hạn giải quyết: %(t)s.") % {"t": timezone.localtime(self.due_at).strftime(fmt)}
            )
        if self.appointment_at and self.appointment_at != self.due_at:
            out.append(
                _("Hẹn trả kết quả (sau văn bản xin lỗi): %(t)s.")
                % {"t": timezone.localtime(self.appointment_at).strftime(fmt)}
            )
        return out


def explain_due(dossier: Dossier) -> DueExplanation | None:
    if dossier.received_at is None:
        return None
    cal = calendar_for(dossier)
    counting_from = cal.next_working_moment(dossier.clock_start)
    restarted = dossier.clock_start if dossier.clock_start != dossier.received_at else None
    pauses = [
        (
            p.get_kind_display(),
            p.started_at,
            p.ended_at,
            Decimal(p.working_seconds) / Decimal(cal.day_seconds),
        )
        for p in dossier.pauses.all()
        if restarted is None or p.started_at >= restarted
    ]
    end = dossier.due_at or counting_from
    return DueExplanation(
        received_at=dossier.received_at,
        counting_from=counting_from,
        processing=dossier.procedure.processing_time_label(),
        budget_days=Decimal(dossier.budget_seconds) / Decimal(cal.day_seconds),
        skipped=cal.skipped_days(counting_from, end) if end > counting_from else [],
        pauses=pauses,
        restarted_at=restarted,
        due_at=dossier.due_at,
        appointment_at=dossier.appointment_at,
    )
