"""The working calendar: explicit calendars, the province calendar, the official schedules."""

import importlib
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import holidays
import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from motcua.core import calendar as calendar_module
from motcua.core.calendar import (
    DEFAULT_PERIODS,
    WorkingCalendar,
    clear_calendar_cache,
    default_calendar,
    parse_periods,
)
from motcua.core.models import CalendarOverride
from motcua.org.models import Tier, Unit

VN = ZoneInfo("Asia/Ho_Chi_Minh")
PLAIN = WorkingCalendar()


def at(y, m, d, hh=0, mm=0, ss=0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=VN)


@pytest.fixture(autouse=True)
def _fresh_cache():
    clear_calendar_cache()
    yield
    clear_calendar_cache()


# --- an explicit calendar ----------------------------------------------------------------------


def test_defaults():
    assert PLAIN.periods == DEFAULT_PERIODS
    assert PLAIN.day_seconds == 8 * 3600
    assert PLAIN.days_off == frozenset() and PLAIN.extra_working_days == frozenset()


def test_working_days():
    cal = WorkingCalendar(days_off=[date(2026, 3, 4)], extra_working_days=[date(2026, 3, 7)])
    assert cal.is_working_day(date(2026, 3, 2))  # Monday
    assert not cal.is_working_day(date(2026, 3, 4))  # day off (Wednesday)
    assert cal.is_working_day(date(2026, 3, 7))  # make-up Saturday
    assert not cal.is_working_day(date(2026, 3, 8))  # Sunday
    assert not cal.is_working_day(date(2026, 3, 14))  # ordinary Saturday
    assert cal.is_working_day(at(2026, 3, 7, 9))  # a datetime is taken by its local date


def test_immutable():
    with pytest.raises(AttributeError):
        PLAIN.periods = ()
    with pytest.raises(AttributeError):
        del PLAIN._spans


def test_day_both_off_and_extra_is_rejected():
    with pytest.raises(ValueError, match="10/01/2026"):
        WorkingCalendar(days_off=[date(2026, 1, 10)], extra_working_days=[date(2026, 1, 10)])


@pytest.mark.parametrize(
    "periods",
    [
        (),
        ((time(11, 30), time(7, 30)),),
        ((time(7, 30), time(7, 30)),),
        ((time(13, 30), time(17, 30)), (time(7, 30), time(11, 30))),
        ((time(7, 30), time(12, 0)), (time(11, 30), time(17, 30))),
        ((time(7, 30, 0, 500), time(11, 30)),),
        ((time(7, 30), time(11, 30), time(12, 0)),),
        (("07:30", "11:30"),),
        5,
    ],
)
def test_invalid_periods(periods):
    with pytest.raises(ValueError, match="Giờ làm việc không hợp lệ"):
        WorkingCalendar(periods=periods)


def test_touching_periods_are_allowed():
    cal = WorkingCalendar(periods=((time(8), time(10)), (time(10), time(12))))
    assert cal.day_seconds == 4 * 3600
    assert cal.add_working_seconds(at(2026, 3, 2, 9), 3600) == at(2026, 3, 2, 10)
    assert cal.add_working_seconds(at(2026, 3, 2, 9), 7200) == at(2026, 3, 2, 11)


def test_friday_afternoon_plus_half_day_is_monday_ten():
    assert PLAIN.add_working_days(at(2026, 3, 6, 16), "0.5") == at(2026, 3, 9, 10)


@pytest.mark.parametrize("days", [Decimal("0.5"), "0.5", 0.5, "0.50"])
def test_day_count_types(days):
    assert PLAIN.add_working_days(at(2026, 3, 6, 16), days) == at(2026, 3, 9, 10)


def test_integer_days():
    assert PLAIN.add_working_days(at(2026, 3, 2, 10), 1) == at(2026, 3, 3, 10)
    assert PLAIN.add_working_days(at(2026, 3, 2, 10), 5) == at(2026, 3, 9, 10)


@pytest.mark.parametrize("days", [-1, "-0.5", Decimal("-1"), "abc", "NaN", "Infinity", None])
def test_bad_day_counts(days):
    with pytest.raises((ValueError, TypeError)):
        PLAIN.add_working_days(at(2026, 3, 2, 10), days)


def test_bool_is_not_a_day_count():
    with pytest.raises(TypeError):
        PLAIN.add_working_days(at(2026, 3, 2, 10), True)


def test_a_date_is_not_a_start():
    with pytest.raises(TypeError):
        PLAIN.add_working_days(date(2026, 3, 2), 1)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (at(2026, 3, 7, 9), 1, at(2026, 3, 9, 17, 30)),  # received Saturday
        (at(2026, 3, 8, 23, 59), "0.5", at(2026, 3, 9, 11, 30)),  # received Sunday night
        (at(2026, 3, 2, 12), "0.25", at(2026, 3, 2, 15, 30)),  # received at lunch
        (at(2026, 3, 2, 6), "0.5", at(2026, 3, 2, 11, 30)),  # before opening: ends at 11:30
        (at(2026, 3, 2, 18), "0.5", at(2026, 3, 3, 11, 30)),  # after closing
        (at(2026, 3, 2, 7, 30), 1, at(2026, 3, 2, 17, 30)),  # a full day ends at 17:30
        (at(2026, 3, 2, 13, 30), "0.5", at(2026, 3, 2, 17, 30)),
        (at(2026, 3, 2, 11, 30), "0.5", at(2026, 3, 2, 17, 30)),  # 11:30 counts from 13:30
        (at(2026, 3, 2, 17, 30), "0.125", at(2026, 3, 3, 8, 30)),
        (at(2026, 3, 2, 10), "1.75", at(2026, 3, 4, 8)),
        (at(2026, 3, 6, 17, 29), "0.5", at(2026, 3, 9, 11, 29)),
    ],
)
def test_explicit_cases(start, days, due):
    assert PLAIN.add_working_days(start, days) == due
    # The due time is computed from the start, so the measure back must give the same days.
    assert PLAIN.working_days_between(start, due) == Decimal(str(days))


def test_zero_days_returns_the_start_unchanged():
    for start in (at(2026, 3, 2, 18), at(2026, 3, 7, 9), at(2026, 3, 2, 10)):
        assert PLAIN.add_working_days(start, 0) == start
        assert PLAIN.add_working_seconds(start, 0) == start


def test_hours():
    assert PLAIN.add_working_seconds(at(2026, 3, 2, 11), 3600) == at(2026, 3, 2, 14)
    assert PLAIN.add_working_seconds(at(2026, 3, 2, 16, 30), 2 * 3600) == at(2026, 3, 3, 8, 30)
    assert PLAIN.add_working_days(at(2026, 3, 2, 11), Decimal(3) / 8) == at(2026, 3, 2, 16)
    with pytest.raises(ValueError):
        PLAIN.add_working_seconds(at(2026, 3, 2, 11), -1)
    with pytest.raises(TypeError):
        PLAIN.add_working_seconds(at(2026, 3, 2, 11), 1.5)


def test_naive_and_foreign_zone_inputs():
    naive = datetime(2026, 3, 6, 16)
    in_utc = datetime(2026, 3, 6, 9, tzinfo=UTC)  # 16:00 in Vietnam
    for start in (naive, in_utc):
        due = PLAIN.add_working_days(start, "0.5")
        assert due == at(2026, 3, 9, 10)
        assert due.tzinfo == VN and due.hour == 10
    assert PLAIN.working_days_between(naive, in_utc) == 0


def test_microseconds_are_kept_exactly():
    start = at(2026, 3, 2, 10).replace(microsecond=123456)
    due = PLAIN.add_working_days(start, "0.5")
    assert due == at(2026, 3, 2, 16).replace(microsecond=123456)
    assert PLAIN.working_days_between(start, due) == Decimal("0.5")


def test_working_days_between():
    assert PLAIN.working_days_between(at(2026, 3, 2, 10), at(2026, 3, 2, 10)) == 0
    assert PLAIN.working_days_between(at(2026, 3, 6, 16), at(2026, 3, 9, 10)) == Decimal("0.5")
    assert PLAIN.working_days_between(at(2026, 3, 9, 10), at(2026, 3, 6, 16)) == Decimal("-0.5")
    # Time outside the periods does not count.
    assert PLAIN.working_days_between(at(2026, 3, 2, 18), at(2026, 3, 3, 7)) == 0
    assert PLAIN.working_days_between(at(2026, 3, 7, 8), at(2026, 3, 8, 16)) == 0
    assert PLAIN.working_days_between(at(2026, 3, 2), at(2026, 3, 9)) == 5
    assert PLAIN.working_days_between(at(2026, 3, 2, 11), at(2026, 3, 2, 14)) == Decimal("0.125")
    third = PLAIN.working_days_between(at(2026, 3, 2, 8), at(2026, 3, 2, 9))
    assert abs(third - Decimal(1) / 8) < Decimal("1e-30")


def test_working_seconds_between_truncates_towards_zero():
    a = at(2026, 3, 2, 10)
    b = a + timedelta(seconds=90, microseconds=600_000)
    assert PLAIN.working_seconds_between(a, b) == 90
    assert PLAIN.working_seconds_between(b, a) == -90
    assert PLAIN.working_seconds_between(at(2026, 3, 6, 16), at(2026, 3, 9, 10)) == 4 * 3600


def test_next_working_moment():
    assert PLAIN.next_working_moment(at(2026, 3, 2, 10)) == at(2026, 3, 2, 10)
    assert PLAIN.next_working_moment(at(2026, 3, 2, 7, 30)) == at(2026, 3, 2, 7, 30)
    assert PLAIN.next_working_moment(at(2026, 3, 2, 6)) == at(2026, 3, 2, 7, 30)
    assert PLAIN.next_working_moment(at(2026, 3, 2, 11, 30)) == at(2026, 3, 2, 13, 30)
    assert PLAIN.next_working_moment(at(2026, 3, 2, 17, 30)) == at(2026, 3, 3, 7, 30)
    assert PLAIN.next_working_moment(at(2026, 3, 6, 18)) == at(2026, 3, 9, 7, 30)
    cal = WorkingCalendar(days_off=[date(2026, 3, 9)])
    assert cal.next_working_moment(at(2026, 3, 6, 18)) == at(2026, 3, 10, 7, 30)


def test_end_of_working_day():
    cal = WorkingCalendar(days_off=[date(2026, 3, 9)])
    assert cal.end_of_working_day(date(2026, 3, 6)) == at(2026, 3, 6, 17, 30)
    # Not a working day: the end of the next one (a same-day procedure received on Saturday).
    assert cal.end_of_working_day(date(2026, 3, 7)) == at(2026, 3, 10, 17, 30)
    assert cal.end_of_working_day(at(2026, 3, 6, 20)) == at(2026, 3, 6, 17, 30)


def test_skipped_days():
    cal = WorkingCalendar(
        days_off=[date(2026, 3, 9), date(2026, 3, 10)], names={date(2026, 3, 9): "Nghỉ thử"}
    )
    assert cal.skipped_days(at(2026, 3, 6, 16), at(2026, 3, 11, 10)) == [
        (date(2026, 3, 7), "Thứ Bảy"),
        (date(2026, 3, 8), "Chủ nhật"),
        (date(2026, 3, 9), "Nghỉ thử"),
        (date(2026, 3, 10), "Ngày nghỉ"),
    ]
    assert cal.skipped_days(at(2026, 3, 11), at(2026, 3, 6)) == cal.skipped_days(
        at(2026, 3, 6), at(2026, 3, 11)
    )
    assert cal.skipped_days(at(2026, 3, 2, 8), at(2026, 3, 2, 9)) == []


def test_custom_periods():
    cal = WorkingCalendar(periods=parse_periods([["07:00", "11:30"], ["13:00", "17:00"]]))
    assert cal.day_seconds == int(8.5 * 3600)
    assert cal.add_working_days(at(2026, 3, 6, 16), "0.5") == at(2026, 3, 9, 10, 15)
    assert cal.add_working_days(at(2026, 3, 2, 7), 1) == at(2026, 3, 2, 17)


def test_large_day_counts():
    start = at(2026, 3, 2, 10)
    for days in (60, 365, 1000):
        due = PLAIN.add_working_days(start, days)
        assert due.time() == time(10)
        assert PLAIN.working_days_between(start, due) == days
    # 365 working days without holidays are 73 weeks.
    assert PLAIN.add_working_days(start, 365) == start + timedelta(weeks=73)


# --- parse_periods -----------------------------------------------------------------------------


def test_parse_periods():
    assert parse_periods([["07:30", "11:30"], ["13:30", "17:30"]]) == DEFAULT_PERIODS
    assert parse_periods((("7:00", "11:00:30"),)) == ((time(7), time(11, 0, 30)),)
    assert parse_periods([[time(8), " 12:00 "]]) == ((time(8), time(12)),)


@pytest.mark.parametrize(
    ("value", "detail"),
    [
        ("07:30-11:30", "danh sách"),
        (None, "danh sách"),
        ([], "ít nhất một"),
        ([["07:30"]], "không phải khoảng"),
        (["07:30", "11:30"], "không phải khoảng"),
        ([["07:30", "11:30", "12:00"]], "không phải khoảng"),
        ([["7h30", "11:30"]], "HH:MM"),
        ([["24:00", "25:00"]], "HH:MM"),
        ([["07:60", "11:30"]], "HH:MM"),
        ([[730, 1130]], "HH:MM"),
        ([["11:30", "07:30"]], "bắt đầu"),
        ([["13:30", "17:30"], ["07:30", "11:30"]], "thứ tự"),
        ([["07:30", "12:00"], ["11:30", "17:30"]], "chồng"),
    ],
)
def test_parse_periods_errors(value, detail):
    with pytest.raises(ValueError, match=r"^Giờ làm việc không hợp lệ") as info:
        parse_periods(value)
    assert detail in str(info.value)


# --- properties (no database: a calendar built from the holidays package alone) ---------------

_VN = holidays.country_holidays("VN", years=range(2024, 2032), language="vi")
PACKAGE = WorkingCalendar(_VN.keys(), _VN.weekend_workdays - set(_VN), names=dict(_VN))
EDGES = [time(0), time(6), time(7, 30), time(11, 30), time(12), time(13, 30), time(17, 30)]

starts = st.one_of(
    st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31)),
    st.builds(
        datetime.combine,
        st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
        st.sampled_from(EDGES),
    ),
).map(lambda dt: dt.replace(tzinfo=VN))
day_counts = st.integers(min_value=0, max_value=3200).map(lambda k: Decimal(k) / 8)
hundredths = st.integers(min_value=0, max_value=40000).map(lambda k: Decimal(k) / 100)
calendars = st.sampled_from([PLAIN, PACKAGE])
FAST = hypothesis_settings(
    max_examples=200,
    deadline=None,
    database=None,  # no .hypothesis/ directory in the working tree
    suppress_health_check=[HealthCheck.too_slow],
)


@FAST
@given(calendars, starts, st.one_of(day_counts, hundredths))
def test_round_trip(cal, start, days):
    due = cal.add_working_days(start, days)
    assert due >= start
    assert cal.working_days_between(start, due) == days
    assert cal.working_days_between(due, start) == -days


@FAST
@given(calendars, starts, day_counts, day_counts)
def test_monotonic_in_days(cal, start, a, b):
    a, b = sorted((a, b))
    assert cal.add_working_days(start, a) <= cal.add_working_days(start, b)


@FAST
@given(calendars, starts, starts, day_counts)
def test_monotonic_in_start(cal, s1, s2, days):
    s1, s2 = sorted((s1, s2))
    assert cal.add_working_days(s1, days) <= cal.add_working_days(s2, days)


@FAST
@given(calendars, starts, day_counts, day_counts)
def test_additive_from_a_working_moment(cal, raw, a, b):
    start = cal.next_working_moment(raw)
    assert cal.add_working_days(cal.add_working_days(start, a), b) == cal.add_working_days(
        start, a + b
    )


@FAST
@given(calendars, starts, day_counts, day_counts)
def test_additive_from_any_moment(cal, start, a, b):
    assert cal.add_working_days(cal.add_working_days(start, a), b) == cal.add_working_days(
        start, a + b
    )


@FAST
@given(calendars, starts, starts, starts)
def test_between_is_additive(cal, a, b, c):
    total = cal.working_days_between(a, b) + cal.working_days_between(b, c)
    assert abs(total - cal.working_days_between(a, c)) < Decimal("1e-25")
    whole = cal.working_seconds_between(a, c)
    assert abs(cal.working_seconds_between(a, b) + cal.working_seconds_between(b, c) - whole) <= 2


@FAST
@given(calendars, starts)
def test_next_working_moment_is_working(cal, start):
    moment = cal.next_working_moment(start)
    assert moment >= start
    assert cal.is_working_day(moment.date())
    assert any(s <= moment.time() < e for s, e in cal.periods)
    assert cal.next_working_moment(moment) == moment
    assert cal.working_seconds_between(start, moment) == 0


@FAST
@given(calendars, starts, st.integers(min_value=1, max_value=400 * 8 * 3600))
def test_due_time_lies_in_a_period(cal, start, seconds):
    due = cal.add_working_seconds(start, seconds)
    assert cal.is_working_day(due.date())
    assert any(s < due.time() <= e for s, e in cal.periods)
    assert cal.working_seconds_between(start, due) == seconds


@FAST
@given(calendars, starts, starts)
def test_skipped_days_are_the_non_working_days(cal, a, b):
    skipped = dict(cal.skipped_days(a, b))
    first, last = sorted((a.date(), b.date()))
    day = first
    while day <= last:
        assert (day in skipped) == (not cal.is_working_day(day))
        day += timedelta(days=1)


# --- the province calendar: package + database + settings --------------------------------------

db = pytest.mark.django_db


@db
@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # Tết Bính Ngọ 2026: off Sat 14 – Sun 22 February.
        (at(2026, 2, 13, 10), 1, at(2026, 2, 23, 10)),
        (at(2026, 2, 13, 16), "0.5", at(2026, 2, 23, 10)),
        (at(2026, 2, 16, 9), "0.5", at(2026, 2, 23, 11, 30)),
        # New Year 2026: off Thu 1 – Sun 4 January, Sat 10 January is a make-up working day.
        (at(2025, 12, 31, 10), 1, at(2026, 1, 5, 10)),
        (at(2026, 1, 9, 16), "0.5", at(2026, 1, 10, 10)),
        (at(2026, 1, 9, 16), "1.5", at(2026, 1, 12, 10)),
        # Hùng Kings' day on Sunday 26 April 2026, off Monday 27; then 30/4 and 1/5.
        (at(2026, 4, 24, 16), "0.5", at(2026, 4, 28, 10)),
        (at(2026, 4, 29, 16), "0.5", at(2026, 5, 4, 10)),
        (at(2026, 4, 24, 16), "3.5", at(2026, 5, 5, 10)),
        # National Day 2026: off Sat 29 August – Wed 2 September; Sat 22 August is worked.
        (at(2026, 8, 21, 16), "0.5", at(2026, 8, 22, 10)),
        (at(2026, 8, 28, 16), "0.5", at(2026, 9, 3, 10)),
        # 2025
        (at(2024, 12, 31, 16), "0.5", at(2025, 1, 2, 10)),
        (at(2025, 1, 24, 16), "0.5", at(2025, 2, 3, 10)),
        (at(2025, 4, 4, 16), "0.5", at(2025, 4, 8, 10)),
        (at(2025, 4, 25, 16), "0.5", at(2025, 4, 26, 10)),
        (at(2025, 4, 29, 16), "0.5", at(2025, 5, 5, 10)),
        (at(2025, 8, 29, 16), "0.5", at(2025, 9, 3, 10)),
        # Year end 2026 → 2027 (1 January 2027 is a Friday, from the package).
        (at(2026, 12, 31, 16), "0.5", at(2027, 1, 4, 10)),
        # Tết Đinh Mùi 2027 from the package: Thu 4 – Wed 10 February.
        (at(2027, 2, 3, 16), "0.5", at(2027, 2, 11, 10)),
    ],
)
def test_official_schedule(start, days, due):
    cal = default_calendar()
    assert cal.add_working_days(start, days) == due
    assert cal.working_days_between(start, due) == Decimal(days)


@db
@FAST
@given(starts, st.one_of(day_counts, hundredths))
def test_round_trip_with_the_official_schedule(start, days):
    cal = default_calendar()
    due = cal.add_working_days(start, days)
    assert cal.working_days_between(start, due) == days
    assert all(cal.is_working_day(d) for d in (date(2026, 1, 10), date(2026, 8, 22)))
    if days:
        assert not any(day == due.date() for day, _ in cal.skipped_days(start, due))


@db
def test_official_days():
    cal = default_calendar()
    off = [
        date(2025, 1, 1),
        date(2025, 1, 27),
        date(2025, 1, 31),
        date(2025, 4, 7),
        date(2025, 4, 30),
        date(2025, 5, 1),
        date(2025, 5, 2),
        date(2025, 9, 1),
        date(2025, 9, 2),
        date(2026, 1, 1),
        date(2026, 1, 2),
        date(2026, 2, 16),
        date(2026, 2, 20),
        date(2026, 4, 27),
        date(2026, 4, 30),
        date(2026, 5, 1),
        date(2026, 8, 31),
        date(2026, 9, 1),
        date(2026, 9, 2),
    ]
    worked = [
        date(2025, 1, 24),
        date(2025, 2, 3),
        date(2025, 4, 26),
        date(2025, 9, 3),
        date(2026, 1, 5),
        date(2026, 1, 10),
        date(2026, 2, 13),
        date(2026, 2, 23),
        date(2026, 4, 28),
        date(2026, 8, 22),
        date(2026, 9, 3),
        date(2026, 11, 24),
    ]
    assert [d for d in off if cal.is_working_day(d)] == []
    assert [d for d in worked if not cal.is_working_day(d)] == []


@db
def test_migration_rows_have_names_and_decisions():
    rows = CalendarOverride.objects.filter(date__year__in=[2025, 2026])
    assert rows.count() >= 40
    assert not rows.filter(name="").exists()
    assert not rows.filter(decision="").exists()
    make_up = set(rows.filter(kind="working_day").values_list("date", flat=True))
    assert make_up == {date(2025, 4, 26), date(2026, 1, 10), date(2026, 8, 22)}
    assert "9441/TB-BNV" in rows.get(date=date(2026, 2, 16)).decision
    assert "12729/VPCP-KGVX" in rows.get(date=date(2026, 1, 10)).decision
    assert "6150/TB-BLĐTBXH" in rows.get(date=date(2025, 4, 26)).decision


@db
def test_migration_is_idempotent_and_reversible():
    migration = importlib.import_module("motcua.core.migrations.0002_official_schedules")
    dates = {row[0] for row in migration.SCHEDULE}
    CalendarOverride.objects.filter(date=date(2026, 2, 16)).update(name="sửa tay")
    migration.insert_schedule(django_apps, None)
    migration.insert_schedule(django_apps, None)
    assert CalendarOverride.objects.filter(date__in=dates).count() == len(dates)
    assert CalendarOverride.objects.get(date=date(2026, 2, 16)).name == "Nghỉ Tết Nguyên đán"
    migration.delete_schedule(django_apps, None)
    assert not CalendarOverride.objects.filter(date__in=dates).exists()


@db
def test_skipped_days_explain_the_due_time():
    cal = default_calendar()
    skipped = dict(cal.skipped_days(at(2026, 2, 13, 10), at(2026, 2, 23, 10)))
    assert list(skipped) == [date(2026, 2, 14) + timedelta(days=i) for i in range(9)]
    assert set(skipped.values()) == {"Nghỉ Tết Nguyên đán"}
    skipped = dict(cal.skipped_days(at(2026, 4, 24, 16), at(2026, 4, 28, 10)))
    assert skipped[date(2026, 4, 25)] == "Thứ Bảy"
    assert "Hùng Vương" in skipped[date(2026, 4, 26)]
    assert "Hùng Vương" in skipped[date(2026, 4, 27)]
    # A year the database does not cover is named from the package (in Vietnamese).
    assert "Tết" in dict(cal.skipped_days(at(2027, 2, 4), at(2027, 2, 4)))[date(2027, 2, 4)]


@db
def test_database_override_takes_effect_immediately():
    start, day = at(2026, 3, 6, 16), date(2026, 3, 9)
    assert default_calendar().add_working_days(start, "0.5") == at(2026, 3, 9, 10)
    row = CalendarOverride.objects.create(date=day, kind="day_off", name="Nghỉ đột xuất")
    cal = default_calendar()
    assert cal.add_working_days(start, "0.5") == at(2026, 3, 10, 10)
    assert dict(cal.skipped_days(start, at(2026, 3, 10)))[day] == "Nghỉ đột xuất"
    row.date, row.kind, row.name = date(2026, 3, 7), "working_day", "Làm bù thử"
    row.save()
    assert default_calendar().add_working_days(start, "0.5") == at(2026, 3, 7, 10)
    row.delete()
    assert default_calendar().add_working_days(start, "0.5") == at(2026, 3, 9, 10)


@db
def test_database_wins_over_the_package():
    assert not default_calendar().is_working_day(date(2027, 2, 8))  # Tết 2027, package
    CalendarOverride.objects.create(date=date(2027, 2, 8), kind="working_day", name="Làm bù")
    CalendarOverride.objects.create(date=date(2027, 2, 12), kind="day_off", name="Nghỉ thêm")
    cal = default_calendar()
    assert cal.is_working_day(date(2027, 2, 8))
    assert not cal.is_working_day(date(2027, 2, 12))
    assert date(2027, 2, 8) not in dict(cal.skipped_days(at(2027, 2, 4), at(2027, 2, 12)))
    # A day off in the database also cancels a make-up day the package knows (22/8/2026).
    CalendarOverride.objects.filter(date=date(2026, 8, 22)).delete()
    assert default_calendar().is_working_day(date(2026, 8, 22))  # still worked: the package
    CalendarOverride.objects.create(date=date(2026, 8, 22), kind="day_off", name="Hủy làm bù")
    assert not default_calendar().is_working_day(date(2026, 8, 22))


@db
def test_overrides_are_cached_with_a_ttl(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(calendar_module, "_clock", lambda: now[0])
    clear_calendar_cache()
    first = default_calendar()
    assert default_calendar() is first  # cached: no query, same object
    # bulk_create sends no signal, as a change made by another process would not.
    CalendarOverride.objects.bulk_create(
        [CalendarOverride(date=date(2026, 3, 9), kind="day_off", name="Khác tiến trình")]
    )
    assert default_calendar().is_working_day(date(2026, 3, 9))
    now[0] += calendar_module.CACHE_TTL + 1
    assert not default_calendar().is_working_day(date(2026, 3, 9))


@db
def test_rolled_back_override_is_not_kept():
    default_calendar()
    with pytest.raises(RuntimeError), transaction.atomic():
        CalendarOverride.objects.create(date=date(2026, 3, 9), kind="day_off", name="Tạm")
        assert not default_calendar().is_working_day(date(2026, 3, 9))
        raise RuntimeError
    assert default_calendar().is_working_day(date(2026, 3, 9))


@db
def test_cache_clear_alias():
    first = default_calendar()
    default_calendar.cache_clear()
    assert default_calendar() is not first


@db
def test_culture_day_is_a_setting(settings):
    assert default_calendar().is_working_day(date(2026, 11, 24))
    assert default_calendar().is_working_day(date(2027, 11, 24))
    assert default_calendar().is_working_day(date(2029, 11, 26))  # no observed day either
    settings.MOTCUA = {**settings.MOTCUA, "CULTURE_DAY_OFF": True}
    cal = default_calendar()
    assert not cal.is_working_day(date(2026, 11, 24))
    assert not cal.is_working_day(date(2027, 11, 24))
    assert dict(cal.skipped_days(at(2026, 11, 24), at(2026, 11, 24))) == {
        date(2026, 11, 24): "Ngày Văn hóa Việt Nam"
    }
    assert cal.add_working_days(at(2026, 11, 23, 16), "0.5") == at(2026, 11, 25, 10)
    settings.MOTCUA = {**settings.MOTCUA, "CULTURE_DAY_OFF": False}
    assert default_calendar().is_working_day(date(2026, 11, 24))


@db
def test_unit_working_periods_and_inheritance():
    province = Unit.objects.create(
        code="T01",
        name="Tỉnh Thử",
        tier=Tier.PROVINCE,
        working_periods=[["07:00", "11:30"], ["13:00", "17:00"]],
    )
    district = Unit.objects.create(
        code="H01", name="Huyện Thử", tier=Tier.DISTRICT, parent=province
    )
    commune = Unit.objects.create(
        code="X01",
        name="Xã Thử",
        tier=Tier.COMMUNE,
        parent=district,
        working_periods=[["07:30", "11:00"], ["14:00", "17:00"]],
    )
    other = Unit.objects.create(code="T02", name="Tỉnh Khác", tier=Tier.PROVINCE)
    expected = ((time(7), time(11, 30)), (time(13), time(17)))
    assert default_calendar(province).periods == expected
    assert default_calendar(district).periods == expected
    assert default_calendar(commune).periods == ((time(7, 30), time(11)), (time(14), time(17)))
    assert default_calendar(other).periods == DEFAULT_PERIODS
    assert default_calendar(None).periods == DEFAULT_PERIODS
    # The holidays still apply with the unit's hours: Tết 2026.
    due = default_calendar(district).add_working_days(at(2026, 2, 13, 16), "0.5")
    assert due == at(2026, 2, 23, 10, 15)


@db
def test_unit_clean_uses_parse_periods():
    unit = Unit(code="T03", name="Tỉnh Lỗi", tier=Tier.PROVINCE, working_periods=[["9", "8"]])
    with pytest.raises(ValidationError) as info:
        unit.clean()
    assert "Giờ làm việc không hợp lệ" in str(info.value)
