"""Applying plans in memory and writing the rows in bulk: the same rows and events as the
services would write (tests/demo/test_generator.py compares both), hundreds of times faster.

Every rule that decides a value is the services' own function (calendar, deadlines, fees,
step agencies, applicant checks, the event hash); only the orchestration is repeated here, in
the same order as in motcua.dossiers.services, so that the comparison test can catch drift.
"""

import hashlib
import json
import operator
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.db.models.base import ModelState
from django.utils.translation import gettext as _

from motcua.catalog.models import Procedure, ProcessStep
from motcua.dossiers import deadlines, ownership
from motcua.dossiers.audit import event_hash
from motcua.dossiers.lifecycle import SAME, State, transition
from motcua.dossiers.models import (
    Channel,
    CodeCounter,
    Dossier,
    DossierEvent,
    DossierFile,
    DossierStep,
    Pause,
)
from motcua.dossiers.services.reception import _applicant_values
from motcua.dossiers.services.steps import _agency_for
from motcua.org.models import Agency, Role

from .driver import APPROVAL_ROLES, RESULT_PDF, Driver
from .plans import Plan

RESULT_SHA = hashlib.sha256(RESULT_PDF).hexdigest()


class Ids:
    """Primary keys handed out in memory, continuing after the rows already stored — or, for
    a worker of a parallel run, after the rows already stored in its own block of ids."""

    MODELS = (Dossier, DossierStep, Pause, DossierEvent, DossierFile)

    def __init__(self, blocks: dict | None = None):
        self.next = {}
        for model in self.MODELS:
            rows = model.objects.all()
            base = None
            if blocks is not None:
                base, size = blocks[model._meta.label]
                rows = rows.filter(id__gte=base, id__lt=base + size)
            last = rows.aggregate(m=Max("id"))["m"]
            self.next[model] = last + 1 if last is not None else (base or 1)

    def take(self, model) -> int:
        value = self.next[model]
        self.next[model] = value + 1
        return value


class Cache:
    """Reference data read once: procedures, agencies, processes, step agencies, fees."""

    def __init__(self):
        self.procedures = {p.national_code: p for p in Procedure.objects.select_related("field")}
        self.agencies = {a.code: a for a in Agency.objects.select_related("unit", "unit__parent")}
        self.agency_by_id = {a.pk: a for a in self.agencies.values()}
        self.fees = {}
        self.process = {}
        self.process_steps = {}
        self.step_agency = {}
        self.counters = {(c.agency_id, c.day): c.last for c in CodeCounter.objects.all()}
        self.changed_counters: set = set()  # written at the next flush, and only they

    def fee_due(self, procedure, quantity: int) -> int:
        if procedure.pk not in self.fees:
            self.fees[procedure.pk] = list(procedure.fees.all())
        return sum(fee.compute(quantity) for fee in self.fees[procedure.pk])

    def current_process(self, procedure, day):
        """As Procedure.current_process(day), from the procedure's processes read once."""
        if procedure.pk not in self.process:
            self.process[procedure.pk] = sorted(
                procedure.processes.filter(published=True),
                key=lambda p: (p.valid_from, p.version),
                reverse=True,
            )
        for process in self.process[procedure.pk]:
            if process.valid_from <= day and (process.valid_to is None or process.valid_to >= day):
                return process
        return None

    def steps_of(self, process) -> list[ProcessStep]:
        if process.pk not in self.process_steps:
            self.process_steps[process.pk] = list(process.steps.order_by("order"))
        return self.process_steps[process.pk]

    def agency_for(self, process_step, dossier) -> Agency:
        key = (getattr(process_step, "pk", None), dossier.receiving_agency_id)
        if key not in self.step_agency:
            self.step_agency[key] = _agency_for(process_step, dossier)
        return self.step_agency[key]


_EVENT_COLUMNS = frozenset(f.attname for f in DossierEvent._meta.concrete_fields)


def _event_row(**values) -> DossierEvent:
    """An unsaved event with every column given (the hash is set right after)."""
    event = DossierEvent.__new__(DossierEvent)
    event._state = ModelState()
    event.__dict__.update(values, hash="")
    missing = _EVENT_COLUMNS - event.__dict__.keys()
    assert not missing, f"event columns not given: {sorted(missing)}"
    return event


def _converters(model):
    """How each column's value is made: Django's own preparation, except on PostgreSQL where
    COPY takes Python values as they are (JSON as text), which is much cheaper per row."""
    fields = model._meta.concrete_fields
    if connection.vendor != "postgresql":
        return [
            lambda obj, f=f: f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields
        ]
    out = []
    for f in fields:
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            out.append(lambda obj, f=f: f.pre_save(obj, True))
        elif f.get_internal_type() == "JSONField":
            out.append(lambda obj, a=f.attname: json.dumps(getattr(obj, a), ensure_ascii=False))
        elif f.get_internal_type() == "FileField":
            out.append(lambda obj, a=f.attname: str(getattr(obj, a)))
        else:
            out.append(operator.attrgetter(f.attname))
    return out


def insert_rows(model, objects: list) -> None:
    """INSERT the rows with the values Django would send, without the ORM's per-batch query
    building, which dominates the cost at millions of rows."""
    if not objects:
        return
    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    converters = _converters(model)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for obj in objects:
                    copy.write_row([convert(obj) for convert in converters])
        else:
            marks = ", ".join(["%s"] * len(fields))
            rows = [tuple(convert(obj) for convert in converters) for obj in objects]
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


class BulkDriver(Driver):
    """Mirrors motcua.dossiers.services on in-memory rows; `flush()` writes them."""

    def __init__(self, directory, assignments: dict[int, list[int]], id_blocks=None):
        super().__init__(directory)
        self.ids = Ids(id_blocks)
        self.cache = Cache()
        self.assignments = assignments  # user id → agency ids of his roles
        self.rows = {m: [] for m in (Dossier, DossierStep, Pause, DossierEvent, DossierFile)}
        self.restart = settings.MOTCUA["SUPPLEMENT_RULE"] == "restart"
        self.calendars = {}  # per receiving unit: its working periods may differ

    # -- reading the state --
    def current_agency_code(self) -> str:
        return self.cache.agency_by_id[self.d.current_agency_id].code

    def receiving_agency_code(self) -> str:
        return self.cache.agency_by_id[self.d.receiving_agency_id].code

    def _open_step(self) -> DossierStep | None:
        open_steps = [s for s in self.steps if s.finished_at is None]
        return max(open_steps, key=lambda s: s.order) if open_steps else None

    def current_step_role(self):
        step = self._open_step()
        return step.role if step else None

    def _following(self, step):
        if self.d.process_id is None:
            return None
        last = step.process_step.order if step and step.process_step else 0
        return next((s for s in self.cache.steps_of(self.d.process) if s.order > last), None)

    def has_next_step(self) -> bool:
        step = self._open_step()
        if self.d.process_id is None or step is None or step.process_step is None:
            return False
        return self._following(step) is not None

    def appointment_floor(self, at: datetime) -> datetime:
        return max(filter(None, [self.d.appointment_at, self.d.due_at, at]))

    def calendar(self):
        return self.cal

    # -- writing --
    def begin(self, plan: Plan) -> None:
        procedure = self.cache.procedures[plan.procedure]
        agency = self.cache.agencies[plan.agency]
        now = plan.received_at
        d = Dossier(
            id=self.ids.take(Dossier),
            procedure=procedure,
            receiving_agency=agency,
            receiving_unit=agency.unit,
            current_agency=agency,
            channel=plan.channel,
            delivery=plan.delivery,
            delivery_address=plan.delivery_address,
            summary="",
            quantity=plan.quantity,
            created_at=now,
            **_applicant_values(plan.applicant),
        )
        self.d, self.steps, self.pauses, self.seq = d, [], [], 0
        unit_id = agency.unit_id
        if unit_id not in self.calendars:
            self.calendars[unit_id] = deadlines.calendar_for(d)
        self.cal = self.calendars[unit_id]
        self.rows[Dossier].append(d)
        officer = self.people.officer(plan.agency, Role.RECEPTION_OFFICER)
        if plan.channel == Channel.ONLINE:
            owner = self.people.by_name[plan.owner]
            d.owner, d.state = owner, State.DRAFT
            self._record("create", owner, "", now, note=_("Tạo hồ sơ nháp"))
            d.state, d.submitted_at = State.SUBMITTED, now
            self._record("submit", owner, State.DRAFT, now)
            d.state = State.RECEIVED
            self._start_clock(now)
            self._take_first_step(officer)
            self._record(
                "receive", officer, State.SUBMITTED, now, data={"form": "01"}, step=self.steps[0]
            )
        else:
            d.state, d.submitted_at = State.RECEIVED, now
            self._start_clock(now)
            self._take_first_step(officer)
            self._record(
                "receive", officer, "", now, data={"files": [], "form": "01"}, step=self.steps[0]
            )

    def _start_clock(self, now) -> None:
        d, cache = self.d, self.cache
        cal = self.cal
        day = now.date()
        key = (d.receiving_agency_id, day)
        cache.counters[key] = cache.counters.get(key, 0) + 1
        cache.changed_counters.add(key)
        d.code = settings.MOTCUA["DOSSIER_CODE_PATTERN"].format(
            agency=d.receiving_agency.code, day=day, seq=cache.counters[key]
        )
        d.received_at = now
        d.process = cache.current_process(d.procedure, now.date())
        d.clock_start, d.budget_seconds, d.due_at = deadlines.initial_clock(d.procedure, now, cal)
        d.paused_seconds = 0
        d.appointment_at = d.due_at
        d.fee_due = cache.fee_due(d.procedure, d.quantity)
        first = cache.steps_of(d.process)[0] if d.process and cache.steps_of(d.process) else None
        if first is None:
            self._new_step(
                1,
                None,
                _("Giải quyết hồ sơ"),
                Role.SPECIALIST,
                d.receiving_agency,
                d.procedure.processing_days,
                now,
            )
        else:
            self._new_step(
                1, first, first.name, first.role, cache.agency_for(first, d), first.budget, now
            )

    def _take_first_step(self, officer) -> None:
        """As the services do: the receiving officer holds the first step of his role."""
        if ownership.is_member(officer, self.steps[0]):
            self.steps[0].assignee = self.d.assignee = officer

    def _new_step(self, order, process_step, name, role, agency, budget, now) -> DossierStep:
        cal = self.cal
        step = DossierStep(
            id=self.ids.take(DossierStep),
            dossier=self.d,
            order=order,
            process_step=process_step,
            name=name,
            role=role,
            agency=agency,
            division_code=process_step.division_code if process_step else "",
            assignee=None,
            budget_seconds=deadlines.step_budget_seconds(budget, cal),
            started_at=now,
        )
        previous = self.steps[-1].due_at if self.steps else None
        deadlines.recompute_step_due(step, cal, previous)
        self.steps.append(step)
        self.rows[DossierStep].append(step)
        self.d.current_agency = agency
        self.d.assignee = None
        return step

    def _next_step(self, now) -> DossierStep:
        current = self._open_step()
        following = self._following(current)
        current.finished_at = now
        return self._new_step(
            len(self.steps) + 1,
            following,
            following.name,
            following.role,
            self.cache.agency_for(following, self.d),
            following.budget,
            now,
        )

    def _actor_agency(self, actor):
        d = self.d
        for agency_id in self.assignments.get(actor.pk, []):
            if agency_id in (d.current_agency_id, d.receiving_agency_id):
                return agency_id
        return actor.agency_id if actor.is_staff else None

    def _record(self, action, actor, from_state, now, note="", data=None, step=None) -> None:
        d = self.d
        self.seq += 1
        # Six events a dossier: made without Model.__init__ (its per-field work was a quarter
        # of the generator's time); the row gets exactly the columns __init__ would give it.
        event = _event_row(
            id=self.ids.take(DossierEvent),
            dossier_id=d.id,
            seq=self.seq,
            action=action,
            from_state=from_state or "",
            to_state=d.state,
            actor_id=actor.pk,
            actor_name=str(actor),
            actor_agency_id=self._actor_agency(actor),
            at=now,
            note=note,
            step_id=step.id if step is not None else None,
            data=data or {},
            prev_hash=d.event_head,
        )
        event._state.fields_cache["dossier"] = d  # the hash reads the dossier's reference
        event.hash = event_hash(event)
        self.rows[DossierEvent].append(event)
        d.event_head = event.hash
        d.version += 1

    def _end_pause(self, now, restart=False):
        pause = next((p for p in self.pauses if p.ended_at is None), None)
        if pause is None:
            return None
        d, cal = self.d, self.cal
        pause.ended_at = now
        pause.working_seconds = max(0, cal.working_seconds_between(pause.started_at, now))
        if restart:
            d.clock_start, d.paused_seconds = now, 0
        else:
            d.paused_seconds += pause.working_seconds
        deadlines.recompute_due(d, cal)
        if d.apologies == 0:
            d.appointment_at = d.due_at
        step = self._open_step()
        if step is not None:
            step.paused_seconds += pause.working_seconds
            previous = self.steps[step.order - 2].due_at if step.order > 1 else None
            deadlines.recompute_step_due(step, cal, previous)
        return pause

    def _pause(self, kind, now, reason) -> None:
        pause = Pause(
            id=self.ids.take(Pause), dossier=self.d, kind=kind, started_at=now, reason=reason
        )
        self.pauses.append(pause)
        self.rows[Pause].append(pause)

    def _close_steps(self, now) -> None:
        for step in self.steps:
            if step.finished_at is None:
                step.finished_at = now

    def act(self, action: str, actor, at: datetime, **params) -> None:
        d, t = self.d, transition(action)
        before = d.state
        if t.target is not SAME:
            d.state = t.target
        if action in ownership.OWNER_ONLY:
            # A member of the step's pool takes it by doing its work (services.core.begin).
            step = self._open_step()
            if step is not None and step.assignee_id is None:
                step.assignee = d.assignee = actor
        handler = getattr(self, f"_do_{action}")
        handler(actor, at, before, **params)

    def _do_forward(self, actor, now, before):
        from_agency = self.cache.agency_by_id[self.d.current_agency_id]
        step = self._next_step(now)
        self._record(
            "forward",
            actor,
            before,
            now,
            step=step,
            data={
                "from_agency": from_agency.code,
                "to_agency": step.agency.code,
                "to_agency_name": step.agency.name,
                "step": step.name,
            },
        )

    def _do_request_supplement(self, actor, now, before, missing_items):
        self.d.supplement_requests += 1
        self._pause(Pause.Kind.SUPPLEMENT, now, "\n".join(missing_items))
        self._record(
            "request_supplement",
            actor,
            before,
            now,
            step=self._open_step(),
            data={
                "missing_items": missing_items,
                "form": "02",
                "request_no": self.d.supplement_requests,
            },
        )

    def _do_receive_supplement(self, actor, now, before):
        pause = self._end_pause(now, restart=self.restart)
        self._record(
            "receive_supplement",
            actor,
            before,
            now,
            step=self._open_step(),
            data={
                "files": [],
                "paused_seconds": pause.working_seconds if pause else 0,
                "rule": "restart" if self.restart else "pause",
            },
        )

    def _do_suspend(self, actor, now, before, reasons):
        self._pause(Pause.Kind.SUSPENSION, now, reasons)
        self._record(
            "suspend", actor, before, now, note=reasons, step=self._open_step(), data={"form": "05"}
        )

    def _do_resume(self, actor, now, before):
        pause = self._end_pause(now)
        self._record(
            "resume",
            actor,
            before,
            now,
            step=self._open_step(),
            data={"paused_seconds": pause.working_seconds if pause else 0},
        )

    def _do_apologize(self, actor, now, before, new_appointment, reasons):
        self.d.appointment_at = new_appointment
        self.d.apologies += 1
        self._record(
            "apologize",
            actor,
            before,
            now,
            note=reasons,
            data={"new_appointment": new_appointment.isoformat(), "form": "04"},
        )

    def _do_reject(self, actor, now, before, reasons):
        d = self.d
        d.result_summary = reasons
        d.finished_at = d.result_ready_at = now
        self._close_steps(now)
        self._record("reject", actor, before, now, note=reasons)

    def _do_withdraw(self, actor, now, before, reasons):
        # The services end an open pause before moving the state; the order of values is equal.
        self._end_pause(now)
        self.d.finished_at = now
        self._close_steps(now)
        self._record("withdraw", actor, before, now, note=reasons)

    def _do_approve(self, actor, now, before):
        d = self.d
        d.approved_at, d.approved_by = now, actor
        step = self._open_step()
        if step is not None and step.role in APPROVAL_ROLES and self._following(step) is not None:
            step = self._next_step(now)
        self._record("approve", actor, before, now, step=step)

    def _do_mark_result_ready(self, actor, now, before, result_summary=""):
        d = self.d
        self.rows[DossierFile].append(
            DossierFile(
                id=self.ids.take(DossierFile),
                dossier=d,
                purpose=DossierFile.Purpose.RESULT,
                file=self.result_file,
                original_name="ket-qua.pdf",
                content_type="application/pdf",
                size=len(RESULT_PDF),
                sha256=RESULT_SHA,
                uploaded_by=actor,
                uploaded_at=now,
                # What dossiers.files.store finds of the same bytes, checked once.
                signature_status=self.result_signature()["status"],
                signature=self.result_signature(),
            )
        )
        d.result_ready_at = now
        if result_summary:
            d.result_summary = result_summary
        self._record(
            "mark_result_ready",
            actor,
            before,
            now,
            step=self._open_step(),
            data={"files": [RESULT_SHA]},
        )

    def _do_return_result(self, actor, now, before):
        self.d.finished_at = now
        self._close_steps(now)
        self._record("return_result", actor, before, now, data={"delivery": self.d.delivery})

    result_file = "dossiers/generated/ket-qua.pdf"
    _result_signature: dict | None = None

    @classmethod
    def result_signature(cls) -> dict:
        if cls._result_signature is None:
            from motcua.signing.validation import validate_pdf

            cls._result_signature = validate_pdf(RESULT_PDF).as_dict()
        return cls._result_signature

    def flush(self) -> int:
        """Write the rows made so far, the code counters, and move the id sequences on."""
        written = len(self.rows[Dossier])
        for model in (Dossier, DossierStep, Pause, DossierEvent, DossierFile):
            insert_rows(model, self.rows[model])
            self.rows[model] = []
        # Only the days this batch touched: rewriting every counter of the history at each
        # batch made the run slower the longer it got.
        counters = [
            CodeCounter(agency_id=a, day=day, last=self.cache.counters[(a, day)])
            for a, day in sorted(self.cache.changed_counters)
        ]
        self.cache.changed_counters.clear()
        CodeCounter.objects.bulk_create(
            counters,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["agency", "day"],
            update_fields=["last"],
        )
        self._reset_sequences()
        return written

    @staticmethod
    def _reset_sequences() -> None:
        if connection.vendor != "postgresql":
            return  # SQLite's AUTOINCREMENT follows the largest id written
        with connection.cursor() as cursor:
            for model in (Dossier, DossierStep, Pause, DossierEvent, DossierFile):
                table = model._meta.db_table
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
                )
