"""Messages sent and lookups answered (issue 16, point 8): for a scope and a period, per
channel, per event and per agency, the delivery rates, failures by reason, lookups by channel,
and the messages behind each of those numbers.

A message counts in the period of its creation (the change that caused it), for the agency it
is about; lookups are read from the daily counts of motcua.notify.tally. One grouped query per
table read: never a query per row.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.notify.hotline import masked_phone
from motcua.notify.models import Channel, Event, LookupChannel, LookupCount, Message
from motcua.org.models import Agency

from .feedback import boundaries
from .figures import Scope
from .periods import Period

S = Message.Status
SENT_OK = (S.SENT, S.DELIVERED, S.SEEN)
DELIVERED = (S.DELIVERED, S.SEEN)
FAILURES = (S.FAILED, S.GIVEN_UP)
PENDING = (S.QUEUED, S.SENDING)
# Channels whose provider reports delivery (eSMS's callback; Zalo's user_received_message
# and user_seen_message, recorded for OA replies and ZNS alike): elsewhere "sent" is the end.
WITH_RECEIPTS = (Channel.SMS, Channel.ZNS, Channel.ZALO_OA)

# The drill-down's `trang_thai`: which statuses each group holds (None: all).
STATUS_GROUPS = {
    "all": (gettext_lazy("Tất cả"), None),
    "sent_ok": (gettext_lazy("Gửi thành công"), SENT_OK),
    "delivered": (gettext_lazy("Báo đã nhận"), DELIVERED),
    "failures": (gettext_lazy("Lỗi hoặc đã ngừng thử lại"), FAILURES),
    "failed": (gettext_lazy("Lỗi, không gửi lại"), (S.FAILED,)),
    "given_up": (gettext_lazy("Đã ngừng thử lại"), (S.GIVEN_UP,)),
    "pending": (gettext_lazy("Đang chờ gửi"), PENDING),
}


def _percent(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


@dataclass
class Counts:
    """Messages of one row, by what became of them."""

    total: int = 0
    sent_ok: int = 0
    delivered: int = 0
    failed: int = 0
    given_up: int = 0
    pending: int = 0

    def add(self, status: str, n: int) -> None:
        self.total += n
        self.sent_ok += n if status in SENT_OK else 0
        self.delivered += n if status in DELIVERED else 0
        self.failed += n if status == S.FAILED else 0
        self.given_up += n if status == S.GIVEN_UP else 0
        self.pending += n if status in PENDING else 0

    @property
    def failures(self) -> int:
        return self.failed + self.given_up

    @property
    def sent_rate(self) -> float | None:
        """ "Gửi thành công": of the messages whose sending is over, those the provider took."""
        return _percent(self.sent_ok, self.total - self.pending)

    @property
    def delivered_rate(self) -> float | None:
        """ "Báo đã nhận": of those the provider took, those it reported delivered."""
        return _percent(self.delivered, self.sent_ok)


@dataclass
class Row:
    key: str | int  # a channel, an event or an agency id
    label: str
    counts: Counts = field(default_factory=Counts)
    receipts: bool = True  # whether "delivered" means anything on this row


@dataclass(frozen=True)
class Failure:
    channel: str
    channel_label: str
    reason: str
    count: int


@dataclass(frozen=True)
class Lookups:
    channel: str
    label: str
    found: int
    not_found: int

    @property
    def total(self) -> int:
        return self.found + self.not_found


@dataclass
class NotificationFigures:
    period: Period
    total: Counts
    channels: list[Row]
    events: list[Row]
    agencies: list[Row]
    failures: list[Failure]
    lookups: list[Lookups]

    @property
    def delivered_rate(self) -> float | None:
        """ "Báo đã nhận" of all channels that report delivery (the total row's)."""
        rows = [r.counts for r in self.channels if r.receipts]
        return _percent(sum(c.delivered for c in rows), sum(c.sent_ok for c in rows))

    @property
    def lookups_total(self) -> Lookups:
        return Lookups(
            "",
            _("Tổng cộng"),
            sum(r.found for r in self.lookups),
            sum(r.not_found for r in self.lookups),
        )


def in_period(scope: Scope, period: Period, now=None) -> QuerySet[Message]:
    """The messages of the scope created in the period (its current day counted up to now)."""
    start, stop, _boundary = boundaries(period, now or timezone.now())
    qs = Message.objects.filter(created_at__gte=start, created_at__lt=stop)
    if scope.agencies is not None:
        qs = qs.filter(agency_id__in=scope.agencies)
    return qs


def _lookups(scope: Scope, period: Period) -> list[Lookups]:
    qs = LookupCount.objects.filter(day__gte=period.start, day__lte=period.end)
    if scope.agencies is not None:
        # Lookups that found nothing have no agency: they count in the province's figures only.
        qs = qs.filter(agency_id__in=scope.agencies)
    sums: dict[tuple[str, bool], int] = defaultdict(int)
    for row in qs.order_by().values("channel", "found").annotate(n=Sum("count")):
        sums[(row["channel"], row["found"])] += row["n"] or 0
    return [
        Lookups(c.value, str(c.label), sums[(c.value, True)], sums[(c.value, False)])
        for c in LookupChannel
    ]


def notification_figures(scope: Scope, period: Period, now=None) -> NotificationFigures:
    """Everything the page "Thông báo và tra cứu" and the reports show, in four queries."""
    messages = in_period(scope, period, now).order_by()
    total = Counts()
    channels = {c.value: Row(c.value, str(c.label), receipts=c in WITH_RECEIPTS) for c in Channel}
    events: dict[str, Row] = {}
    agencies: dict[int, Row] = {}
    groups = messages.values("channel", "event", "agency_id", "status").annotate(n=Count("pk"))
    for g in groups:
        status, n = g["status"], g["n"]
        total.add(status, n)
        if g["channel"] in channels:
            channels[g["channel"]].counts.add(status, n)
        events.setdefault(g["event"], Row(g["event"], g["event"])).counts.add(status, n)
        if g["agency_id"] is not None:
            agencies.setdefault(g["agency_id"], Row(g["agency_id"], "")).counts.add(status, n)
    event_labels = dict(Event.choices)
    event_rows = [
        Row(e, str(event_labels[e]), events[e].counts) for e in Event.values if e in events
    ]
    names = dict(Agency.objects.filter(pk__in=agencies).values_list("pk", "name"))
    for pk, row in agencies.items():
        row.label = names.get(pk, "")
    agency_rows = sorted(agencies.values(), key=lambda r: (-r.counts.total, r.label))
    channel_labels = dict(Channel.choices)
    failures = [
        Failure(
            f["channel"], str(channel_labels.get(f["channel"], f["channel"])), f["reason"], f["n"]
        )
        for f in messages.filter(status__in=FAILURES)
        .values("channel", "reason")
        .annotate(n=Count("pk"))
        .order_by("-n", "channel", "reason")
    ]
    return NotificationFigures(
        period=period,
        total=total,
        channels=list(channels.values()),
        events=event_rows,
        agencies=agency_rows,
        failures=failures,
        lookups=_lookups(scope, period),
    )


# --- the messages behind a number ----------------------------------------------------------


@dataclass(frozen=True)
class MessageFilter:
    """What the drill-down's parameters ask for (kenh, su_kien, trang_thai, ly_do)."""

    channel: str = ""
    event: str = ""
    status: str = "all"
    reason: str | None = None  # None: any; "" asks for the messages without a reason

    @property
    def query(self) -> dict[str, str]:
        q = {"kenh": self.channel, "su_kien": self.event}
        q = {k: v for k, v in q.items() if v}
        if self.status != "all":
            q["trang_thai"] = self.status
        if self.reason is not None:
            q["ly_do"] = self.reason
        return q

    def describe(self) -> list[str]:
        """The filter in words, for the list's heading."""
        parts = []
        if self.channel:
            parts.append(str(Channel(self.channel).label))
        if self.event:
            parts.append(str(Event(self.event).label))
        if self.status != "all":
            parts.append(str(STATUS_GROUPS[self.status][0]))
        if self.reason is not None:
            parts.append(_("Lý do: %(r)s") % {"r": self.reason or _("(không ghi lý do)")})
        return parts


def parse_filter(params) -> tuple[MessageFilter, list[str]]:
    """The filter a request names, and what is wrong with it in words for the user."""
    errors = []
    channel = str(params.get("kenh", "")).strip()
    if channel and channel not in Channel.values:
        errors.append(_("Kênh không hợp lệ: “%(v)s”.") % {"v": channel[:20]})
        channel = ""
    event = str(params.get("su_kien", "")).strip()
    if event and event not in Event.values:
        errors.append(_("Sự kiện không hợp lệ: “%(v)s”.") % {"v": event[:30]})
        event = ""
    status = str(params.get("trang_thai", "") or "all").strip()
    if status not in STATUS_GROUPS:
        errors.append(_("Trạng thái không hợp lệ: “%(v)s”.") % {"v": status[:20]})
        status = "all"
    reason = str(params["ly_do"])[:300] if "ly_do" in params else None
    return MessageFilter(channel, event, status, reason), errors


def messages(
    scope: Scope, period: Period, flt: MessageFilter, now=None, agency: int | None = None
) -> QuerySet[Message]:
    """The messages behind a number of `notification_figures`: as many as it said. `agency`:
    that agency's own messages only (a row of the table by agency)."""
    qs = in_period(scope, period, now)
    if agency is not None:
        qs = qs.filter(agency_id=agency)
    if flt.channel:
        qs = qs.filter(channel=flt.channel)
    if flt.event:
        qs = qs.filter(event=flt.event)
    statuses = STATUS_GROUPS[flt.status][1]
    if statuses is not None:
        qs = qs.filter(status__in=statuses)
    if flt.reason is not None:
        qs = qs.filter(reason=flt.reason)
    return qs


def masked_recipient(recipient: str) -> str:
    """A recipient as the monitoring pages show it: "0903 *** 222", "ng***@gmail.com"."""
    local, at, domain = (recipient or "").rpartition("@")
    if at:
        return f"{local[: 2 if len(local) > 3 else 1]}***@{domain}"
    return masked_phone(recipient)


# The drill-down's rows: no text and nothing of the applicant but a masked address.
ROW_FIELDS = (
    "id",
    "created_at",
    "channel",
    "event",
    "recipient",
    "status",
    "attempts",
    "reason",
    "sent_at",
    "delivered_at",
    "dossier__code",
    "dossier__reference",
    "agency__name",
)


def rows(qs: QuerySet[Message]) -> QuerySet[Message]:
    return qs.select_related("dossier", "agency").only(*ROW_FIELDS)
