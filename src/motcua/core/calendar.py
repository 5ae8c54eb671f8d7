"""The working calendar: working days, working periods and due times counted in working time.

See docs/calendar.md for the rules, the holiday sources and the precision of the arithmetic.
"""

import re
import time as _time
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from functools import lru_cache
from types import MappingProxyType
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from .memo import bump_generation, shared_generation

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_PERIODS = ((time(7, 30), time(11, 30)), (time(13, 30), time(17, 30)))
FIRST_YEAR = 2015  # the holiday data reaches back this far; older dates count weekends only
YEARS_AHEAD = 5
# A change made through any server is seen by all from their next request (the shared
# generation, see core.memo); the TTL only covers changes made behind Django's back.
CACHE_TTL = 600.0
CULTURE_DAY_NAME = "Ngày Văn hóa Việt Nam"
WEEKDAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")

_US = 1_000_000  # microseconds in a second: all arithmetic is on whole microseconds
_DAY_US = 86_400 * _US
_ONE_DAY = timedelta(days=1)
# The window of the working-day index (outside it, computations walk day by day).
_INDEX_FIRST, _INDEX_LAST = date(2010, 1, 1), date(2045, 12, 31)
_DECIMAL = Context(prec=40)
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$")
_clock = _time.monotonic  # patched by tests


def _check_periods(periods) -> tuple[tuple[time, time], ...]:
    try:
        result = tuple(tuple(pair) for pair in periods)
    except TypeError:
        raise ValueError(f"Giờ làm việc không hợp lệ: {periods!r}.") from None
    if not result:
        raise ValueError("Giờ làm việc không hợp lệ: cần ít nhất một khoảng giờ làm việc.")
    previous_end = None
    for pair in result:
        if len(pair) != 2 or not all(isinstance(t, time) for t in pair):
            raise ValueError(
                f"Giờ làm việc không hợp lệ: {pair!r} không phải cặp (bắt đầu, kết thúc)."
            )
        start, end = pair
        if start.tzinfo or end.tzinfo or start.microsecond or end.microsecond:
            raise ValueError(
                "Giờ làm việc không hợp lệ: chỉ dùng giờ địa phương, chính xác đến giây."
            )
        if start >= end:
            raise ValueError(
                f"Giờ làm việc không hợp lệ: khoảng {start:%H:%M}–{end:%H:%M} có giờ bắt đầu "
                "không trước giờ kết thúc."
            )
        if previous_end is not None and start < previous_end:
            raise ValueError(
                f"Giờ làm việc không hợp lệ: khoảng bắt đầu lúc {start:%H:%M} chồng lên hoặc "
                f"đứng trước khoảng kết thúc lúc {previous_end:%H:%M}; các khoảng phải theo thứ tự "
                "và không chồng lên nhau."
            )
        previous_end = end
    return result


def parse_periods(value) -> tuple[tuple[time, time], ...]:
    """Working periods from JSON such as [["07:30", "11:30"], ["13:30", "17:30"]]."""
    example = 'ví dụ [["07:30", "11:30"], ["13:30", "17:30"]]'
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValueError(f"Giờ làm việc không hợp lệ: cần một danh sách các khoảng giờ, {example}.")
    pairs = []
    for item in value:
        if isinstance(item, str | bytes) or not isinstance(item, list | tuple) or len(item) != 2:
            raise ValueError(
                f"Giờ làm việc không hợp lệ: {item!r} không phải khoảng [bắt đầu, kết thúc], "
                f"{example}."
            )
        pair = []
        for text in item:
            if isinstance(text, time):
                pair.append(text)
                continue
            match = _HHMM.match(text.strip()) if isinstance(text, str) else None
            if not match:
                raise ValueError(f"Giờ làm việc không hợp lệ: {text!r} không phải giờ dạng HH:MM.")
            pair.append(time(*(int(part or 0) for part in match.groups())))
        pairs.append(tuple(pair))
    return _check_periods(pairs)


def _us_of_day(t: time) -> int:
    return ((t.hour * 60 + t.minute) * 60 + t.second) * _US + t.microsecond


def _local(value: datetime) -> datetime:
    """`value` as a naive local datetime (Vietnam has kept UTC+7 since 1975, so naive is safe)."""
    if not isinstance(value, datetime):
        raise TypeError(f"Cần một datetime, nhận được {type(value).__name__}.")
    if value.utcoffset() is None:
        return value.replace(tzinfo=None)
    return value.astimezone(TZ).replace(tzinfo=None)


def _aware(day: date, us: int) -> datetime:
    return (datetime.combine(day, time()) + timedelta(microseconds=us)).replace(tzinfo=TZ)


def _to_days(days) -> Decimal:
    if isinstance(days, bool):
        raise TypeError("Số ngày phải là số, không phải True/False.")
    if isinstance(days, float):
        days = str(days)  # take the float's shortest repr: 0.1 means one tenth
    try:
        value = days if isinstance(days, Decimal) else Decimal(days)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"Số ngày không hợp lệ: {days!r}.") from None
    if not value.is_finite() or value < 0:
        raise ValueError(f"Số ngày phải là số không âm: {days!r}.")
    return value


class WorkingCalendar:
    """Monday–Friday minus `days_off`, plus `extra_working_days`, counted inside `periods`."""

    __slots__ = ("_day_us", "_days_off", "_extra", "_index", "_names", "_periods", "_spans")

    def __init__(
        self,
        days_off: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
        periods=DEFAULT_PERIODS,
        *,
        names: Mapping[date, str] | None = None,
    ):
        off, extra = frozenset(days_off), frozenset(extra_working_days)
        if off & extra:
            clash = ", ".join(f"{d:%d/%m/%Y}" for d in sorted(off & extra))
            raise ValueError(f"Ngày vừa là ngày nghỉ vừa là ngày làm bù: {clash}.")
        checked = _check_periods(periods)
        spans = tuple((_us_of_day(s), _us_of_day(e)) for s, e in checked)
        set_ = object.__setattr__
        set_(self, "_days_off", off)
        set_(self, "_extra", extra)
        set_(self, "_periods", checked)
        set_(self, "_spans", spans)
        set_(self, "_day_us", sum(e - s for s, e in spans))
        set_(self, "_names", MappingProxyType(dict(names or {})))
        set_(self, "_index", None)

    def __setattr__(self, name, value):
        raise AttributeError("WorkingCalendar is immutable")

    def __delattr__(self, name):
        raise AttributeError("WorkingCalendar is immutable")

    def __repr__(self) -> str:
        periods = ", ".join(f"{s:%H:%M}-{e:%H:%M}" for s, e in self._periods)
        return (
            f"<WorkingCalendar {periods}; {len(self._days_off)} days off, "
            f"{len(self._extra)} extra working days>"
        )

    days_off = property(lambda self: self._days_off)
    extra_working_days = property(lambda self: self._extra)
    periods = property(lambda self: self._periods)
    names = property(lambda self: self._names)

    @property
    def day_seconds(self) -> int:
        """Length of one working day in seconds (28 800 for the default periods)."""
        return self._day_us // _US

    def is_working_day(self, d: date) -> bool:
        if isinstance(d, datetime):
            d = _local(d).date()
        return d in self._extra or (d.weekday() < 5 and d not in self._days_off)

    # --- moments -------------------------------------------------------------------------------

    def next_working_moment(self, dt: datetime) -> datetime:
        """`dt` if it lies inside a period (start included, end excluded), else the next start."""
        local = _local(dt)
        day, pos = local.date(), _us_of_day(local.time())
        while True:
            if self.is_working_day(day):
                for start, end in self._spans:
                    if pos < end:
                        return _aware(day, max(pos, start))
            day, pos = day + _ONE_DAY, 0

    def end_of_working_day(self, d: date) -> datetime:
        """End of the last period of `d`, or of the next working day when `d` is not one."""
        day = _local(d).date() if isinstance(d, datetime) else d
        while not self.is_working_day(day):
            day += _ONE_DAY
        return _aware(day, self._spans[-1][1])

    # --- adding working time -------------------------------------------------------------------

    def add_working_days(self, start: datetime, days) -> datetime:
        """The moment when `days` working days (int, Decimal, "0.5", float) have elapsed."""
        us = (_to_days(days) * self._day_us).to_integral_value(ROUND_HALF_UP, _DECIMAL)
        return self._add(_local(start), int(us))

    def add_working_seconds(self, start: datetime, seconds: int) -> datetime:
        if isinstance(seconds, bool) or not isinstance(seconds, int):
            raise TypeError("Số giây phải là số nguyên.")
        if seconds < 0:
            raise ValueError(f"Số giây phải không âm: {seconds}.")
        return self._add(_local(start), seconds * _US)

    # --- an index of working days --------------------------------------------------------------
    # Due times and elapsed times are computed for every row of a queue page and for every event
    # of a generated province; walking day by day over months is what made them slow. The index
    # counts the working days before each date of a wide window, so whole days are skipped or
    # counted by lookup; dates outside the window take the day-by-day walk, with equal results.

    def _working_index(self) -> tuple[int, int, list[int]]:
        index = self._index
        if index is None:
            first, last = _INDEX_FIRST.toordinal(), _INDEX_LAST.toordinal()
            counts, total = [0], 0
            for ordinal in range(first, last + 1):
                total += self.is_working_day(date.fromordinal(ordinal))
                counts.append(total)
            index = (first, last, counts)
            object.__setattr__(self, "_index", index)
        return index

    def _working_days_from(self, day: date, stop: date) -> int | None:
        """Working days in [day, stop), or None outside the index."""
        first, last, counts = self._working_index()
        a, b = day.toordinal(), stop.toordinal()
        if a < first or b > last + 1:
            return None
        return counts[b - first] - counts[a - first]

    def _nth_working_day_from(self, day: date, n: int) -> date | None:
        """The n-th working day (1 = the first) on or after `day`, or None outside the index."""
        first, last, counts = self._working_index()
        a = day.toordinal()
        if a < first or a > last:
            return None
        target = counts[a - first] + n
        if target > counts[-1]:
            return None
        return date.fromordinal(first + bisect_left(counts, target) - 1)

    def _add(self, local: datetime, amount: int) -> datetime:
        if amount == 0:
            # Nothing has to elapse: the start itself, even outside working hours.
            return local.replace(tzinfo=TZ)
        day, pos = local.date(), _us_of_day(local.time())
        while True:
            if self.is_working_day(day):
                if pos == 0 and amount > self._day_us:
                    # Skip all whole working days but the last at once: time runs out on the
                    # (skip + 1)-th working day from here.
                    skip = (amount - 1) // self._day_us
                    landing = self._nth_working_day_from(day, skip + 1)
                    if landing is not None:
                        day, amount = landing, amount - skip * self._day_us
                        continue
                    amount -= self._day_us  # skip a whole working day at once
                else:
                    for start, end in self._spans:
                        if pos >= end:
                            continue
                        begin = max(pos, start)
                        # `<=`: time running out exactly at a period end is due at that end
                        # (17:30), not at the next period's start.
                        if amount <= end - begin:
                            return _aware(day, begin + amount)
                        amount -= end - begin
            day, pos = day + _ONE_DAY, 0

    # --- measuring working time ----------------------------------------------------------------

    def _worked_before(self, day: date, pos: int) -> int:
        if not self.is_working_day(day):
            return 0
        return sum(max(0, min(pos, end) - start) for start, end in self._spans)

    def _between_us(self, start: datetime, end: datetime) -> int:
        a, b = _local(start), _local(end)
        if b < a:
            return -self._between_us(end, start)
        da, db = a.date(), b.date()
        pa, pb = _us_of_day(a.time()), _us_of_day(b.time())
        if da == db:
            return self._worked_before(db, pb) - self._worked_before(da, pa)
        total = self._worked_before(da, _DAY_US) - self._worked_before(da, pa)
        whole = self._working_days_from(da + _ONE_DAY, db)
        if whole is not None:
            return total + whole * self._day_us + self._worked_before(db, pb)
        day = da + _ONE_DAY
        while day < db:
            if self.is_working_day(day):
                total += self._day_us
            day += _ONE_DAY
        return total + self._worked_before(db, pb)

    def working_seconds_between(self, start: datetime, end: datetime) -> int:
        """Working seconds from `start` to `end` (negative if `end` is earlier), truncated."""
        us = self._between_us(start, end)
        return us // _US if us >= 0 else -(-us // _US)

    def working_days_between(self, start: datetime, end: datetime) -> Decimal:
        """Working time from `start` to `end` in days; exact for whole-microsecond spans."""
        return _DECIMAL.divide(Decimal(self._between_us(start, end)), Decimal(self._day_us))

    def skipped_days(self, start: datetime, end: datetime) -> list[tuple[date, str]]:
        """Non-working days from `start`'s date to `end`'s date inclusive, with the reason."""
        a, b = sorted((_local(start).date(), _local(end).date()))
        skipped, day = [], a
        while day <= b:
            if not self.is_working_day(day):
                reason = self._names.get(day)
                if not reason:
                    reason = WEEKDAY_NAMES[day.weekday()] if day.weekday() >= 5 else "Ngày nghỉ"
                skipped.append((day, reason))
            day += _ONE_DAY
        return skipped


# --- the province's calendar -------------------------------------------------------------------


@lru_cache(maxsize=4)
def _package_holidays(first: int, last: int):
    """Vietnam's holidays, observed and substituted days from the `holidays` package."""
    import holidays

    vn = holidays.country_holidays("VN", years=range(first, last + 1), language="vi")
    names = {day: name for day, name in vn.items()}
    workdays = frozenset(d for d in getattr(vn, "weekend_workdays", ()) if first <= d.year <= last)
    return MappingProxyType(names), workdays


def _without_culture_day(name: str) -> str:
    # The package joins several holidays on one date with "; ".
    return "; ".join(part for part in name.split("; ") if "Văn hóa Việt Nam" not in part)


_cache: dict = {}


def clear_calendar_cache() -> None:
    """Forget the cached overrides, calendars and units' hours (tests, or a bulk change)."""
    _cache.clear()
    _UNITS.clear()


def _invalidate(sender=None, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    _cache.clear()
    bump_generation("calendar", using=using)
    if connections[using].in_atomic_block:
        # A rollback sends no signal: read the table afresh until the transaction is surely
        # over, so that a rolled-back change is never kept in the cache.
        _cache["bypass_until"] = _clock() + CACHE_TTL
        transaction.on_commit(clear_calendar_cache, using=using)


post_save.connect(_invalidate, sender="core.CalendarOverride", dispatch_uid="calendar-save")
post_delete.connect(_invalidate, sender="core.CalendarOverride", dispatch_uid="calendar-delete")


def _overrides_entry() -> dict:
    """{"off": {date: name}, "on": frozenset, "calendars": {}}, cached for CACHE_TTL seconds."""
    now = _clock()
    entry = _cache.get("entry")
    generation = shared_generation("calendar")
    if (
        entry is not None
        and now - entry["loaded"] < CACHE_TTL
        and entry["generation"] == generation
    ):
        return entry
    from motcua.core.models import CalendarOverride

    off, on = {}, set()
    for day, kind, name in CalendarOverride.objects.values_list("date", "kind", "name"):
        if kind == CalendarOverride.Kind.WORKING_DAY:
            on.add(day)
        else:
            off[day] = name
    entry = {
        "loaded": now,
        "generation": generation,
        "off": off,
        "on": frozenset(on),
        "calendars": {},
    }
    if now >= _cache.get("bypass_until", 0):
        _cache["entry"] = entry
    return entry


def _unit_periods(unit) -> tuple[tuple[time, time], ...]:
    """The unit's working periods, inherited from the nearest unit above that sets them."""
    if unit is None:
        return DEFAULT_PERIODS
    units = _units_periods()
    # A unit or its id: a queue page knows only each dossier's unit id, and must not load
    # the unit row by row.
    unit_id, seen = (unit if isinstance(unit, int) else unit.pk), set()
    while unit_id is not None and unit_id not in seen:
        parent_id, periods = units.get(unit_id, (None, None))
        if periods:
            return parse_periods(periods)
        seen.add(unit_id)
        unit_id = parent_id  # a commune without its own hours inherits its district's
    return DEFAULT_PERIODS


def _units_periods() -> dict:
    """Every unit's parent and own periods, read once per process (and again after an edit or
    the TTL): due times are computed for every row of a queue page."""
    entry = _UNITS.get("entry")
    generation = shared_generation("org")
    if entry is not None and _clock() - entry[0] < CACHE_TTL and entry[2] == generation:
        return entry[1]
    from django.apps import apps

    unit_model = apps.get_model("org", "Unit")
    data = {
        pk: (parent, periods)
        for pk, parent, periods in unit_model.objects.values_list(
            "pk", "parent_id", "working_periods"
        )
    }
    _UNITS["entry"] = (_clock(), data, generation)
    return data


_UNITS: dict = {}


def _forget_units(**kwargs) -> None:
    _UNITS.clear()


post_save.connect(_forget_units, sender="org.Unit", dispatch_uid="calendar-unit-save")
post_delete.connect(_forget_units, sender="org.Unit", dispatch_uid="calendar-unit-delete")


def default_calendar(unit=None) -> WorkingCalendar:
    """The calendar in force: the `holidays` package, the database overrides, the settings."""
    periods = _unit_periods(unit)
    culture = bool(getattr(settings, "MOTCUA", {}).get("CULTURE_DAY_OFF", False))
    last = timezone.localdate().year + YEARS_AHEAD
    entry = _overrides_entry()
    key = (periods, culture, last)
    calendar = entry["calendars"].get(key)
    if calendar is None:
        calendar = entry["calendars"][key] = _build(periods, culture, last, entry)
    return calendar


def _build(periods, culture: bool, last: int, entry: dict) -> WorkingCalendar:
    package_names, package_workdays = _package_holidays(FIRST_YEAR, last)
    names = {}
    for day, name in package_names.items():
        if not culture:
            name = _without_culture_day(name)
        if name:
            names[day] = name
    if culture:
        for year in range(FIRST_YEAR, last + 1):
            names.setdefault(date(year, 11, 24), CULTURE_DAY_NAME)
    names.update(entry["off"])  # the database wins over the package
    for day in entry["on"]:
        names.pop(day, None)
    extra = (package_workdays - names.keys()) | entry["on"]
    return WorkingCalendar(names.keys(), extra, periods, names=names)


default_calendar.cache_clear = clear_calendar_cache
