"""Due times as an officer and the province's scoring see them, on explicit calendars."""

from datetime import date, time
from decimal import Decimal

import pytest
import time_machine

from motcua.catalog.models import TimeUnit
from motcua.core.calendar import WorkingCalendar
from motcua.dossiers import deadlines, services
from motcua.dossiers.models import Timeliness
from motcua.org.models import Role
from tests.world import at, pdf_upload

pytestmark = pytest.mark.django_db

# Tết-like week off (Mon 16 – Fri 20 Feb 2026) and a make-up Saturday (28 Feb 2026).
CAL = WorkingCalendar(
    days_off=[date(2026, 2, d) for d in range(16, 21)],
    extra_working_days=[date(2026, 2, 28)],
    names={date(2026, 2, d): "Tết" for d in range(16, 21)},
)


@pytest.fixture
def explicit_calendar(monkeypatch):
    monkeypatch.setattr(deadlines, "calendar_for", lambda dossier: CAL)
    return CAL


def test_friday_afternoon_half_day_is_due_monday_morning(world, explicit_calendar):
    world.procedure.processing_time = Decimal("0.5")
    world.procedure.save()
    dossier = world.receive(now=at("2026-03-06 16:00"))
    assert dossier.due_at == at("2026-03-09 10:00")


def test_holidays_are_skipped_and_make_up_saturday_counts(world, explicit_calendar):
    dossier = world.receive(now=at("2026-02-13 10:00"))  # Friday before the week off
    # 3 days: Fri 10:00→17:30 (0.9375), then Mon 23, Tue 24, Wed 25 until 10:00.
    assert dossier.due_at == at("2026-02-25 10:00")
    later = world.receive(now=at("2026-02-27 10:00"))  # Friday before the make-up Saturday
    # Fri 10:00→17:30 (5.5 h), Sat 28 make-up (8 h), Mon (8 h), Tue until 10:00 (2.5 h).
    assert later.due_at == at("2026-03-03 10:00")


def test_reception_outside_hours_counts_from_next_period(world, explicit_calendar):
    dossier = world.receive(now=at("2026-03-07 09:00"))  # a Saturday
    assert dossier.due_at == at("2026-03-11 17:30")  # Mon, Tue, Wed full days


def test_same_day_procedure_with_cutoff(world, explicit_calendar):
    world.procedure.processing_unit = TimeUnit.SAME_DAY
    world.procedure.processing_time = 0
    world.procedure.cutoff = time(15, 0)
    world.procedure.save()
    assert world.receive(now=at("2026-03-03 14:59")).due_at == at("2026-03-03 17:30")
    assert world.receive(now=at("2026-03-03 15:30")).due_at == at("2026-03-04 17:30")
    assert world.receive(now=at("2026-02-13 16:00")).due_at == at("2026-02-23 17:30")


def test_hours_procedure(world, explicit_calendar):
    world.procedure.processing_unit = TimeUnit.WORKING_HOUR
    world.procedure.processing_time = 4
    world.procedure.save()
    # 10:30→11:30, lunch skipped, 13:30→16:30.
    assert world.receive(now=at("2026-03-03 10:30")).due_at == at("2026-03-03 16:30")


def test_supplement_pause_moves_the_due_time(world, explicit_calendar):
    officer, specialist = world.staff[Role.RECEPTION_OFFICER], world.staff[Role.SPECIALIST]
    dossier = world.receive(now=at("2026-03-02 08:00"))  # Monday; due Thu 08:00
    assert dossier.due_at == at("2026-03-05 08:00")
    dossier = services.dossier_forward(
        actor=officer, dossier=dossier, now=at("2026-03-02 09:00")
    ).dossier
    dossier = services.dossier_request_supplement(
        actor=specialist, dossier=dossier, missing_items=["Giấy tờ A"], now=at("2026-03-03 08:00")
    ).dossier
    dossier = services.dossier_receive_supplement(
        actor=officer, dossier=dossier, files=[pdf_upload()], now=at("2026-03-04 08:00")
    ).dossier
    # One working day paused → due one working day later.
    assert dossier.due_at == at("2026-03-06 08:00")
    assert dossier.paused_seconds == CAL.day_seconds


def test_restart_rule_gives_the_full_time_again(world, explicit_calendar, settings):
    settings.MOTCUA = {**settings.MOTCUA, "SUPPLEMENT_RULE": "restart"}
    officer = world.staff[Role.RECEPTION_OFFICER]
    dossier = world.receive(now=at("2026-03-02 08:00"))
    dossier = services.dossier_request_supplement(
        actor=officer, dossier=dossier, missing_items=["Giấy tờ A"], now=at("2026-03-04 08:00")
    ).dossier
    dossier = services.dossier_receive_supplement(
        actor=officer, dossier=dossier, now=at("2026-03-10 08:00")
    ).dossier
    assert dossier.due_at == at("2026-03-13 08:00")
    lines = deadlines.explain_due(dossier).lines()
    assert any("Tính lại toàn bộ thời hạn" in line for line in lines)


def test_suspension_pauses_dossier_and_step(world, explicit_calendar):
    officer, leader = world.staff[Role.RECEPTION_OFFICER], world.staff[Role.AGENCY_LEADER]
    dossier = world.receive(now=at("2026-03-02 08:00"))
    dossier = services.dossier_forward(
        actor=officer, dossier=dossier, now=at("2026-03-02 08:30")
    ).dossier
    step = dossier.steps.get(order=2)
    assert step.due_at == at("2026-03-03 08:30")  # 1 working day budget
    services.dossier_suspend(
        actor=leader, dossier=dossier, reasons="Chờ", now=at("2026-03-02 10:30")
    )
    dossier = services.dossier_resume(
        actor=leader, dossier=dossier, now=at("2026-03-03 10:30")
    ).dossier
    step.refresh_from_db()
    assert dossier.due_at == at("2026-03-06 08:00")
    assert step.due_at == at("2026-03-04 08:30")


def test_per_step_budgets_and_handover_to_the_district(world, explicit_calendar):
    w = world
    dossier = w.receive(now=at("2026-03-02 08:00"))
    first = dossier.steps.get(order=1)
    assert (first.name, first.agency, first.due_at) == (
        "Tiếp nhận",
        w.commune_ubnd,
        at("2026-03-02 14:00"),
    )
    dossier = services.dossier_forward(
        actor=w.staff[Role.RECEPTION_OFFICER], dossier=dossier, now=at("2026-03-02 13:30")
    ).dossier
    dossier = services.dossier_forward(
        actor=w.staff[Role.SPECIALIST], dossier=dossier, now=at("2026-03-03 15:00")
    ).dossier
    district_step = dossier.steps.get(order=3)
    assert district_step.agency == w.district_ubnd and dossier.current_agency == w.district_ubnd
    second = dossier.steps.get(order=2)
    assert deadlines.step_timeliness(second) == Timeliness.LATE  # 1 day from Mon 13:30 → Tue 13:30
    first.refresh_from_db()
    assert first.finished_at == at("2026-03-02 13:30")
    assert deadlines.step_timeliness(first) == Timeliness.ON_TIME  # due 14:00 the same day


def test_early_on_time_late_and_two_supplements(world, explicit_calendar):
    w, s = world, world.staff

    def finish(dossier, when):
        for actor in (
            s[Role.RECEPTION_OFFICER],
            s[Role.SPECIALIST],
            w.district_staff[Role.SPECIALIST],
        ):
            dossier = services.dossier_forward(actor=actor, dossier=dossier, now=when).dossier
        dossier = services.dossier_approve(
            actor=s[Role.AGENCY_LEADER], dossier=dossier, now=when
        ).dossier
        dossier = services.dossier_mark_result_ready(
            actor=s[Role.RECEPTION_OFFICER], dossier=dossier, files=[pdf_upload()], now=when
        ).dossier
        return services.dossier_return_result(
            actor=s[Role.RECEPTION_OFFICER], dossier=dossier, now=when
        ).dossier

    early = finish(w.receive(now=at("2026-03-02 08:00")), at("2026-03-03 09:00"))
    assert deadlines.dossier_timeliness(early) == Timeliness.EARLY
    on_time = finish(w.receive(now=at("2026-03-02 08:00")), at("2026-03-05 07:45"))
    assert deadlines.dossier_timeliness(on_time) == Timeliness.ON_TIME
    late = finish(w.receive(now=at("2026-03-02 08:00")), at("2026-03-05 08:01"))
    assert deadlines.dossier_timeliness(late) == Timeliness.LATE

    twice = w.receive(now=at("2026-03-02 08:00"))
    for day in ("03", "04"):
        twice = services.dossier_request_supplement(
            actor=s[Role.RECEPTION_OFFICER],
            dossier=twice,
            missing_items=["A"],
            now=at(f"2026-03-{day} 08:00"),
        ).dossier
        twice = services.dossier_receive_supplement(
            actor=s[Role.RECEPTION_OFFICER], dossier=twice, now=at(f"2026-03-{day} 09:00")
        ).dossier
    assert deadlines.dossier_timeliness(finish(twice, at("2026-03-03 10:00"))) == Timeliness.LATE


def test_second_supplement_request_warns_the_officer(world):
    officer = world.staff[Role.RECEPTION_OFFICER]
    dossier = world.receive()
    # At the reception step: the counter officer who holds it asks, twice.
    first = services.dossier_request_supplement(actor=officer, dossier=dossier, missing_items=["A"])
    assert first.warnings == []
    services.dossier_receive_supplement(actor=officer, dossier=dossier)
    second = services.dossier_request_supplement(
        actor=officer, dossier=dossier, missing_items=["B"]
    )
    assert second.warnings and "bị tính là trễ hạn" in second.warnings[0]


def test_open_dossier_due_soon_then_late(world, explicit_calendar):
    dossier = world.receive(now=at("2026-03-02 08:00"))  # due Thu 5 March 08:00
    assert deadlines.dossier_timeliness(dossier, now=at("2026-03-02 09:00")) == Timeliness.IN_TIME
    assert deadlines.dossier_timeliness(dossier, now=at("2026-03-04 09:00")) == Timeliness.DUE_SOON
    assert deadlines.dossier_timeliness(dossier, now=at("2026-03-05 09:00")) == Timeliness.LATE


def test_apology_sets_new_appointment_but_still_counts_late(world, explicit_calendar):
    leader = world.staff[Role.AGENCY_LEADER]
    dossier = world.receive(now=at("2026-03-02 08:00"))
    with time_machine.travel(at("2026-03-05 10:00")):
        dossier = services.dossier_apologize(
            actor=leader, dossier=dossier, new_appointment=at("2026-03-10 16:00"), reasons="Chậm"
        ).dossier
    assert dossier.appointment_at == at("2026-03-10 16:00")
    assert dossier.due_at == at("2026-03-05 08:00")
    assert deadlines.dossier_timeliness(dossier, now=at("2026-03-06 09:00")) == Timeliness.LATE


def test_printable_explanation_matches_the_computation(world, explicit_calendar):
    dossier = world.receive(now=at("2026-02-13 16:00"))
    explanation = deadlines.explain_due(dossier)
    assert explanation.due_at == dossier.due_at
    lines = explanation.lines()
    assert lines[0] == "Tiếp nhận lúc 16:00 13/02/2026."
    assert "16/02/2026 (Tết)" in lines[3] and "14/02/2026 (Thứ Bảy)" in lines[3]
    assert lines[-1] == f"Hạn giải quyết: {dossier.due_at.astimezone(CAL_TZ):%H:%M %d/%m/%Y}."
    recount = CAL.add_working_seconds(explanation.counting_from, dossier.budget_seconds)
    assert recount == dossier.due_at


CAL_TZ = at("2026-01-01 00:00").tzinfo
