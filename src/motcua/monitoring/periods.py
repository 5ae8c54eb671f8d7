"""Reporting periods: a month, a quarter, a year or any range of days, and the one before."""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext as _

EARLIEST = date(2000, 1, 1)


def month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    kind: str  # month, quarter, year, custom
    start: date
    end: date

    @classmethod
    def month(cls, year: int, month: int) -> "Period":
        start = date(year, month, 1)
        return cls("month", start, month_end(start))

    @classmethod
    def quarter(cls, year: int, quarter: int) -> "Period":
        start = date(year, 3 * quarter - 2, 1)
        return cls("quarter", start, month_end(add_months(start, 2)))

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls("year", date(year, 1, 1), date(year, 12, 31))

    @property
    def key(self) -> str:
        """The `ky` parameter that names this period in addresses."""
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month + 2) // 3}"
        if self.kind == "year":
            return str(self.start.year)
        return f"{self.start:%Y-%m-%d}..{self.end:%Y-%m-%d}"

    @property
    def query(self) -> dict[str, str]:
        if self.kind == "custom":
            return {"tu": self.start.isoformat(), "den": self.end.isoformat()}
        return {"ky": self.key}

    @property
    def label(self) -> str:
        if self.kind == "month":
            return _("Tháng %(m)d/%(y)d") % {"m": self.start.month, "y": self.start.year}
        if self.kind == "quarter":
            return _("Quý %(q)s/%(y)d") % {
                "q": ("I", "II", "III", "IV")[(self.start.month - 1) // 3],
                "y": self.start.year,
            }
        if self.kind == "year":
            return _("Năm %(y)d") % {"y": self.start.year}
        return _("Từ %(a)s đến %(b)s") % {
            "a": self.start.strftime("%d/%m/%Y"),
            "b": self.end.strftime("%d/%m/%Y"),
        }

    def previous(self) -> "Period":
        if self.kind == "month":
            start = add_months(self.start, -1)
            return Period.month(start.year, start.month)
        if self.kind == "quarter":
            start = add_months(self.start, -3)
            return Period.quarter(start.year, (start.month + 2) // 3)
        if self.kind == "year":
            return Period.year(self.start.year - 1)
        length = self.end - self.start
        end = self.start - timedelta(days=1)
        return Period("custom", end - length, end)

    def months(self, count: int = 12) -> list["Period"]:
        """The `count` months ending with this period's last month (for trend lines)."""
        last = self.end.replace(day=1)
        return [
            Period.month(m.year, m.month) for m in (add_months(last, -i) for i in range(count))
        ][::-1]


def parse(params, today: date) -> tuple[Period, str | None]:
    """The period named by a request's parameters; the current month and a message when they
    name none or a wrong one."""
    default = Period.month(today.year, today.month)
    if params.get("tu") or params.get("den"):
        try:
            start = date.fromisoformat(str(params.get("tu", "")))
            end = date.fromisoformat(str(params.get("den", "")))
        except ValueError:
            return default, _("Ngày không hợp lệ: nhập theo dạng năm-tháng-ngày.")
        if start > end:
            return default, _("Ngày bắt đầu không được sau ngày kết thúc.")
        if start < EARLIEST or end > date(today.year + 1, 12, 31):
            return default, _("Khoảng thời gian nằm ngoài dữ liệu.")
        return Period("custom", start, end), None
    key = str(params.get("ky", "")).strip()
    if not key:
        return default, None
    try:
        if m := re.fullmatch(r"(\d{4})-(\d{2})", key):
            period = Period.month(int(m[1]), int(m[2]))
        elif m := re.fullmatch(r"(\d{4})-[Qq]([1-4])", key):
            period = Period.quarter(int(m[1]), int(m[2]))
        elif re.fullmatch(r"\d{4}", key):
            period = Period.year(int(key))
        else:
            raise ValueError(key)
    except ValueError:
        return default, _("Kỳ báo cáo không hợp lệ: “%(k)s”.") % {"k": key[:20]}
    if period.start < EARLIEST or period.start > today:
        return default, _("Kỳ báo cáo nằm ngoài dữ liệu.")
    return period, None
