"""Reading the indicators: sums of the counters over a period, stocks at its end, and the
rates, points and bands built on them (docs/indicators.md, section 8)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.catalog.models import OnlineLevel, Procedure
from motcua.dossiers.lifecycle import State
from motcua.dossiers.models import Dossier, Pause

from . import bands, feedback
from .facts import PAUSED
from .models import COUNTERS, Tally
from .periods import Period, add_months, month_end

FLOWS = tuple(c for c in COUNTERS if not c.endswith("_delta"))
NOT_ENDED = (State.RECEIVED, State.PROCESSING, State.AWAITING_SUPPLEMENT, State.SUSPENDED)


def midnight(day: date) -> datetime:
    """The local moment day begins."""
    return timezone.make_aware(datetime.combine(day, time()), timezone.get_default_timezone())


def _days_q(start: date, end: date) -> Q:
    """Rows covering [start, end]: whole months as month rows, the rest as day rows."""
    if start > end:
        return Q(pk__in=[])
    first_whole = start if start.day == 1 else add_months(start, 1)
    last_whole_end = end if end == month_end(end) else end.replace(day=1) - timedelta(days=1)
    if first_whole > last_whole_end:
        return Q(grain="d", day__gte=start, day__lte=end)
    q = Q(grain="m", day__gte=first_whole, day__lte=last_whole_end.replace(day=1))
    if start < first_whole:
        q |= Q(grain="d", day__gte=start, day__lt=first_whole)
    if end > last_whole_end:
        q |= Q(grain="d", day__gt=last_whole_end, day__lte=end)
    return q


GROUPS = {"agency": "agency_id", "procedure": "procedure_id", "month": "day", None: None}


def _sum(scope: "Scope", rows_q: Q, names, by: str | None) -> dict:
    qs = Tally.objects.filter(rows_q)
    if scope.procedures is None:
        # Agency totals, unless the rows are wanted per procedure.
        qs = qs.filter(procedure_id__gt=0) if by == "procedure" else qs.filter(procedure_id=0)
    else:
        qs = qs.filter(procedure_id__in=scope.procedures)
    if scope.agencies is not None:
        qs = qs.filter(agency_id__in=scope.agencies)
    sums = {n: Sum(n) for n in names}
    column = GROUPS[by]
    if column is None:
        row = qs.aggregate(**sums)
        return {None: {n: row[n] or 0 for n in names}}
    return {
        row[column]: {n: row[n] or 0 for n in names}
        for row in qs.order_by().values(column).annotate(**sums)
    }


@dataclass(frozen=True)
class Scope:
    """Whose dossiers: receiving agencies (None: all) and procedures (None: all)."""

    agencies: frozenset[int] | None = None
    procedures: frozenset[int] | None = None

    def dossiers(self):
        qs = Dossier.objects.all()
        if self.agencies is not None:
            qs = qs.filter(receiving_agency_id__in=self.agencies)
        if self.procedures is not None:
            qs = qs.filter(procedure_id__in=self.procedures)
        return qs


def _stock(scope: Scope, day: date, by) -> dict:
    """In progress and overdue-and-open at the end of `day`: the running balance less what
    the days after it added (for this month's pages, only the days and months ahead)."""
    names = ("ip_delta", "od_delta")
    balance = _sum(scope, Q(grain="b"), names, by)
    after = _sum(scope, _after_q(day), names, by)
    out = {}
    for key in set(balance) | set(after):
        b, a = balance.get(key, {}), after.get(key, {})
        out[key] = {n: b.get(n, 0) - a.get(n, 0) for n in names}
    return out


def _after_q(day: date) -> Q:
    """Rows of the days after `day`: the rest of its month by day, later months whole."""
    next_month = add_months(day, 1)
    return Q(grain="d", day__gt=day, day__lt=next_month) | Q(grain="m", day__gte=next_month)


def _due_later_today(scope: Scope, now: datetime, by) -> dict:
    """Open dossiers counted overdue at the end of today whose due time is still ahead."""
    tomorrow = midnight(timezone.localtime(now, timezone.get_default_timezone()).date()) + (
        timedelta(days=1)
    )
    within_pause = Pause.objects.filter(
        dossier=OuterRef("pk"), ended_at__isnull=True, started_at__lte=OuterRef("due_at")
    )
    qs = (
        scope.dossiers()
        .filter(state__in=NOT_ENDED, due_at__gte=now, due_at__lt=tomorrow)
        .exclude(Q(state__in=PAUSED) & Exists(within_pause))
    )
    column = {"agency": "receiving_agency_id", "procedure": "procedure_id", None: None}[by]
    if column is None:
        return {None: qs.count()}
    return {row[column]: row["n"] for row in qs.order_by().values(column).annotate(n=Count("pk"))}


@dataclass
class Figures:
    """Everything shown for one subject and period; rates are None when nothing to divide."""

    period: Period
    flows: dict[str, int]
    carried: int
    in_progress: int
    overdue: int
    at_now: bool
    procedures: int = 0
    procedures_online: int = 0
    procedures_full: int = 0
    cuts: tuple = field(default=bands.DEFAULTS)
    feedback: dict = field(default_factory=dict)  # monitoring.feedback.NAMES

    def count(self, name: str) -> int:
        f = self.flows
        fb = self.feedback
        if name.startswith("fb_"):
            if name == "fb_all":
                return fb.get("fb_answered", 0) + fb.get("fb_open", 0)
            if name == "fb_in_time":
                return fb.get("fb_answered_in_time", 0) + fb.get("fb_open_in_time", 0)
            return fb.get(name, 0)
        derived = {
            "carried": self.carried,
            "in_progress": self.in_progress,
            "overdue": self.overdue,
            "in_time": self.in_progress - self.overdue,
            "received_counter": f["received"] - f["received_online"] - f["received_post"],
            "finished_in_time": f["early"] + f["on_time"],
            "procedures": self.procedures,
            "procedures_online": self.procedures_online,
            "procedures_full": self.procedures_full,
        }
        if name in derived:
            return derived[name]
        return f[name]

    def rate(self, code: str) -> "Rate":
        spec = RATES[code]
        return Rate(spec, self.count(spec.numerator), self.count(spec.denominator), self.cuts)

    @property
    def average_days(self) -> float | None:
        finished = self.flows["finished"]
        return self.flows["handling_seconds"] / 86400 / finished if finished else None

    def rates(self) -> list["Rate"]:
        return [self.rate(code) for code in RATES]

    def score(self) -> tuple[float, float, float | None]:
        """(points, the most the computable indicators give, percent) — an estimate."""
        got = best = 0.0
        for rate in self.rates():
            if rate.spec.points and rate.points is not None:
                got += rate.points
                best += rate.spec.points
        return got, best, (100 * got / best if best else None)

    @property
    def score_band(self):
        return bands.band(self.score()[2], self.cuts)


@dataclass(frozen=True)
class RateSpec:
    code: str
    label: str
    numerator: str
    denominator: str
    full_at: float = 1.0  # the share that earns full points
    points: float = 0  # 0: shown, not scored (unverified weight, or not in 766)
    indicator: str = ""  # its code in docs/indicators.md


RATES = {
    spec.code: spec
    for spec in (
        RateSpec(
            "on_time",
            _("Tỷ lệ giải quyết đúng hạn"),
            "finished_in_time",
            "finished",
        ),
        RateSpec(
            "progress",
            _("Tiến độ giải quyết (đã và đang xử lý trong hạn)"),
            "progress_in_time",
            "progress_all",
            points=20,
            indicator="2.1",
        ),
        RateSpec(
            "online",
            _("Tỷ lệ hồ sơ nộp trực tuyến"),
            "received_online",
            "received",
            full_at=0.5,
        ),
        RateSpec(
            "online_e_result",
            _("Nộp trực tuyến, có kết quả điện tử"),
            "online_e_result",
            "received",
            full_at=0.5,
            indicator="3.3",
        ),
        RateSpec(
            "procedures_online",
            _("Thủ tục có dịch vụ công trực tuyến"),
            "procedures_online",
            "procedures",
            full_at=0.8,
            indicator="3.1",
        ),
        RateSpec("fee_paid", _("Hồ sơ có phí đã nộp phí"), "fee_paid", "fee_bearing"),
        RateSpec(
            "paid_online",
            _("Hồ sơ thanh toán trực tuyến"),
            "fee_paid_online",
            "fee_bearing",
            points=6,
            indicator="3.6",
        ),
        RateSpec(
            "e_result",
            _("Hồ sơ có kết quả điện tử"),
            "e_result",
            "ended_result",
            points=6,
            indicator="4.1",
        ),
        RateSpec(
            "digitized",
            _("Hồ sơ được số hóa"),
            "digitized",
            "received",
            full_at=0.8,
            points=4,
            indicator="4.2",
        ),
        RateSpec(
            "feedback_on_time",
            _("Phản ánh, kiến nghị xử lý đúng hạn"),
            "fb_in_time",
            "fb_all",
            points=6,
            indicator="5.2",
        ),
        RateSpec(
            "feedback_satisfaction",
            _("Hài lòng với việc xử lý phản ánh, kiến nghị"),
            "fb_received_ok",
            "fb_received",
            points=6,
            indicator="5.3",
        ),
        RateSpec(
            "satisfaction",
            _("Mức độ hài lòng"),
            "satisfied",
            "finished",
            full_at=0.9,
            points=6,
            indicator="5.4",
        ),
    )
}


@dataclass
class Rate:
    spec: RateSpec
    numerator: int
    denominator: int
    cuts: tuple

    @property
    def share(self) -> float | None:
        return self.numerator / self.denominator if self.denominator else None

    @property
    def percent(self) -> float | None:
        return None if self.share is None else 100 * self.share

    @property
    def attainment(self) -> float | None:
        """The share of the full mark, in percent: what the colour band is judged on."""
        if self.share is None:
            return None
        return 100 * min(1.0, self.share / self.spec.full_at)

    @property
    def points(self) -> float | None:
        if not self.spec.points or self.attainment is None:
            return None
        return self.spec.points * self.attainment / 100

    @property
    def band(self):
        return bands.band(self.attainment, self.cuts)


def _with_derived(fig_flows: dict, in_progress: int, overdue: int) -> dict:
    flows = dict(fig_flows)
    flows["progress_in_time"] = flows["early"] + flows["on_time"] + in_progress - overdue
    flows["progress_all"] = flows["finished"] + in_progress
    flows["satisfied"] = flows["finished"] - flows["dissatisfied"]
    return flows


def _catalog(scope: Scope, by) -> dict:
    """Procedures the agencies handle, and those offered online (partly or fully)."""
    qs = Procedure.objects.filter(is_active=True)
    if scope.procedures is not None:
        qs = qs.filter(pk__in=scope.procedures)
    pairs = qs.values_list("pk", "online_level", "agencies")
    out: dict = defaultdict(lambda: [set(), set(), set()])
    for pk, level, agency in pairs:
        if scope.agencies is not None and agency not in scope.agencies:
            continue
        key = {"agency": agency, "procedure": pk, None: None}[by]
        sets = out[key]
        sets[0].add(pk)
        if level in (OnlineLevel.PARTIAL, OnlineLevel.FULL):
            sets[1].add(pk)
        if level == OnlineLevel.FULL:
            sets[2].add(pk)
    return {k: tuple(len(s) for s in v) for k, v in out.items()}


def figures(scope: Scope, period: Period, *, by: str | None = None, now=None) -> dict:
    """{group key: Figures} for the scope and period (one key, None, when not grouped)."""
    now = now or timezone.now()
    today = timezone.localtime(now, timezone.get_default_timezone()).date()
    at_now = period.end >= today
    end = min(period.end, today)
    flows = _sum(scope, _days_q(period.start, end), FLOWS, by)
    carried = _stock(scope, period.start - timedelta(days=1), by)
    closing = _stock(scope, end, by)
    later = _due_later_today(scope, now, by) if at_now else {}
    catalog = _catalog(scope, by) if by != "month" else {}
    opinions = feedback.counts(scope, period, now, by)
    cuts = bands.thresholds()
    keys = set(flows) | set(closing) | set(carried)
    if by is None:
        keys.add(None)
    zero = dict.fromkeys(FLOWS, 0)
    out = {}
    for key in keys:
        in_progress = closing.get(key, {}).get("ip_delta", 0)
        overdue = closing.get(key, {}).get("od_delta", 0) - later.get(key, 0)
        procedures = catalog.get(key, (0, 0, 0))
        out[key] = Figures(
            period=period,
            flows=_with_derived(flows.get(key, zero), in_progress, overdue),
            carried=carried.get(key, {}).get("ip_delta", 0),
            in_progress=in_progress,
            overdue=overdue,
            at_now=at_now,
            procedures=procedures[0],
            procedures_online=procedures[1],
            procedures_full=procedures[2],
            cuts=cuts,
            feedback=opinions.get(key, {}),
        )
    return out


def total(scope: Scope, period: Period, now=None) -> Figures:
    return figures(scope, period, now=now)[None]


def monthly(scope: Scope, period: Period, count: int = 12) -> list[tuple[Period, dict]]:
    """Flows per month for the `count` months ending with the period (trend lines, charts)."""
    months = period.months(count)
    q = Q(grain="m", day__gte=months[0].start, day__lte=months[-1].start)
    sums = _sum(scope, q, FLOWS, "month")
    zero = dict.fromkeys(FLOWS, 0)
    return [(m, sums.get(m.start, zero)) for m in months]


def merge(parts: list[Figures], period: Period) -> Figures:
    """The figures of several agencies together (counts add up; rates are recomputed)."""
    flows = dict.fromkeys(FLOWS, 0)
    carried = in_progress = overdue = procedures = online = full = 0
    opinions = dict.fromkeys(feedback.NAMES, 0)
    for f in parts:
        for name in feedback.NAMES:
            opinions[name] += f.feedback.get(name, 0)
        for name in FLOWS:
            flows[name] += f.flows[name]
        carried += f.carried
        in_progress += f.in_progress
        overdue += f.overdue
        procedures += f.procedures
        online += f.procedures_online
        full += f.procedures_full
    return Figures(
        period=period,
        flows=_with_derived(flows, in_progress, overdue),
        carried=carried,
        in_progress=in_progress,
        overdue=overdue,
        at_now=parts[0].at_now if parts else False,
        procedures=procedures,
        procedures_online=online,
        procedures_full=full,
        cuts=parts[0].cuts if parts else bands.thresholds(),
        feedback=opinions,
    )
