"""The working-day index is only a shortcut: with it and without it, every due time and every
elapsed time is the same."""

from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.core.calendar import TZ, WorkingCalendar

DAYS = st.dates(min_value=date(2011, 1, 1), max_value=date(2044, 12, 31))


def walking(calendar: WorkingCalendar) -> WorkingCalendar:
    """The same calendar with an empty index window: every date takes the day-by-day walk."""
    object.__setattr__(calendar, "_index", (1, 0, [0]))
    return calendar


@st.composite
def calendars(draw):
    off = draw(st.sets(DAYS, max_size=40))
    extra = draw(st.sets(DAYS, max_size=10)) - off
    periods = draw(
        st.sampled_from(
            [
                (("07:30", "11:30"), ("13:30", "17:30")),
                (("08:00", "12:00"), ("13:00", "17:00")),
                (("07:00", "11:00"),),
            ]
        )
    )
    from datetime import time

    parsed = [tuple(time.fromisoformat(x) for x in p) for p in periods]
    return off, extra, parsed


MOMENTS = st.builds(
    lambda d, minute: (
        datetime.combine(d, datetime.min.time()).replace(tzinfo=TZ) + timedelta(minutes=minute)
    ),
    DAYS,
    st.integers(min_value=0, max_value=24 * 60 - 1),
)


@settings(max_examples=300, deadline=None)
@given(calendars(), MOMENTS, st.integers(min_value=0, max_value=500 * 8 * 3600))
def test_adding_working_time_is_the_same_with_the_index(spec, start, seconds):
    off, extra, periods = spec
    fast = WorkingCalendar(off, extra, periods)
    slow = walking(WorkingCalendar(off, extra, periods))
    assert fast.add_working_seconds(start, seconds) == slow.add_working_seconds(start, seconds)


@settings(max_examples=300, deadline=None)
@given(calendars(), MOMENTS, MOMENTS)
def test_measuring_working_time_is_the_same_with_the_index(spec, a, b):
    off, extra, periods = spec
    fast = WorkingCalendar(off, extra, periods)
    slow = walking(WorkingCalendar(off, extra, periods))
    assert fast.working_seconds_between(a, b) == slow.working_seconds_between(a, b)


def test_dates_outside_the_window_still_work():
    calendar = WorkingCalendar()
    start = datetime(2090, 1, 2, 8, 0, tzinfo=TZ)  # a Monday
    assert calendar.add_working_seconds(start, 8 * 3600 * 5).date() == date(2090, 1, 9)
