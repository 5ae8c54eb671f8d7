"""Random messages and lookup counts for the monitoring of notifications, and a recount of
them written independently of motcua.monitoring.messages (the thing it checks)."""

import random
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from motcua.notify.models import LookupCount, Message

TZ = timezone.get_default_timezone()
CHANNELS = ["email", "sms", "zns", "zalo_oa"]
EVENTS = ["received", "supplement", "result_ready", "returned", "lookup", "feedback_answered"]
STATUSES = ["queued", "sending", "sent", "delivered", "seen", "failed", "given_up"]
REASONS = [
    "eSMS 146: Mẫu tin chưa được đăng ký",
    "Số điện thoại không hợp lệ",
    "Zalo -124: Access token không hợp lệ",
    "",
    '=HYPERLINK("http://lua-dao.example","Bấm vào đây")',
]
LOOKUP_CHANNELS = ["web", "api", "sms", "zalo", "hotline"]


def local(d: date, hour: int = 0, minute: int = 0) -> datetime:
    return datetime.combine(d, time(hour, minute), tzinfo=TZ)


def _recipient(rng: random.Random, channel: str) -> str:
    if channel == "email":
        return rng.choice(["nguyen.van.binh@gmail.com", "tran.thi.hoa@example.vn"])
    if channel == "zalo_oa":
        return str(rng.randrange(10**17, 10**18))
    return rng.choice(["0912345678", "84987654321", "0903111222"])


def random_messages(
    rng: random.Random, agencies: list, start: date, end: date, n: int, dossiers=()
) -> list[Message]:
    """`n` messages created between `start` and `end` (local days, both included), of every
    channel, event and status, for `agencies` (None among them: about no agency)."""
    rows = []
    span = (end - start).days + 1
    for _i in range(n):
        channel = rng.choice(CHANNELS)
        status = rng.choice(STATUSES)
        at = local(
            start + timedelta(days=rng.randrange(span)), rng.randrange(24), rng.randrange(60)
        )
        failed = status in ("failed", "given_up")
        sent = status in ("sent", "delivered", "seen")
        rows.append(
            Message(
                channel=channel,
                recipient=_recipient(rng, channel),
                event=rng.choice(EVENTS),
                text="Nội dung riêng của người nộp: Nguyễn Văn Bình",
                status=status,
                attempts=rng.randrange(0, 6),
                reason=rng.choice(REASONS) if failed else "",
                agency_id=rng.choice(agencies),
                dossier=rng.choice(dossiers) if dossiers and rng.random() < 0.3 else None,
                created_at=at,
                sent_at=at + timedelta(seconds=5) if sent else None,
                delivered_at=at + timedelta(seconds=30)
                if status in ("delivered", "seen")
                else None,
            )
        )
    return Message.objects.bulk_create(rows)


def random_lookups(rng: random.Random, agencies: list, start: date, end: date, n: int) -> None:
    """Daily lookup counts, one row per key, spread over the days from `start` to `end`."""
    rows: dict[tuple, int] = defaultdict(int)
    span = (end - start).days + 1
    for _i in range(n):
        found = rng.random() < 0.7
        agency = rng.choice([a for a in agencies if a]) if found else 0
        day = start + timedelta(days=rng.randrange(span))
        rows[(day, rng.choice(LOOKUP_CHANNELS), agency, found)] += rng.randrange(1, 9)
    LookupCount.objects.bulk_create(
        LookupCount(day=d, channel=c, agency_id=a, found=f, count=n)
        for (d, c, a, f), n in rows.items()
    )


def recount(agencies, start: date, end: date) -> dict:
    """What the page must show, message by message: agencies None counts everything."""
    first, stop = local(start), local(end + timedelta(days=1))
    by_channel: dict[str, Counter] = defaultdict(Counter)
    by_event: dict[str, Counter] = defaultdict(Counter)
    by_agency: dict[int, Counter] = defaultdict(Counter)
    failures: Counter = Counter()
    for m in Message.objects.all():
        if not first <= m.created_at < stop:
            continue
        if agencies is not None and m.agency_id not in agencies:
            continue
        kinds = {"total"}
        if m.status in ("sent", "delivered", "seen"):
            kinds.add("sent_ok")
        if m.status in ("delivered", "seen"):
            kinds.add("delivered")
        if m.status in ("failed", "given_up"):
            kinds.add("failures")
            failures[(m.channel, m.reason)] += 1
        if m.status in ("queued", "sending"):
            kinds.add("pending")
        kinds.add(m.status)
        for table, key in ((by_channel, m.channel), (by_event, m.event), (by_agency, m.agency_id)):
            for k in kinds:
                table[key][k] += 1
        by_channel["*"].update(kinds)
    lookups: Counter = Counter()
    for row in LookupCount.objects.all():
        if start <= row.day <= end and (agencies is None or row.agency_id in agencies):
            lookups[(row.channel, row.found)] += row.count
    by_agency.pop(None, None)
    return {
        "channels": by_channel,
        "events": by_event,
        "agencies": by_agency,
        "failures": failures,
        "lookups": lookups,
    }
