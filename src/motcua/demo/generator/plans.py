"""Deterministic plans of dossiers: who applies for what, where, when, and what happens next.

A plan is data only (times, actor usernames, parameters), so the service path and the bulk
path apply exactly the same history. Plan `i` of seed `s` is always the same.
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from motcua.core.calendar import WorkingCalendar
from motcua.dossiers.models import Channel, Delivery

SURNAMES = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
)
MIDDLE = ("Văn", "Thị", "Minh", "Thanh", "Ngọc", "Hữu", "Quốc", "Thu", "Đức", "Kim")
GIVEN = (
    "An",
    "Bình",
    "Cúc",
    "Dũng",
    "Hà",
    "Hải",
    "Hằng",
    "Hùng",
    "Lan",
    "Linh",
    "Long",
    "Mai",
    "Nam",
    "Nga",
    "Phúc",
    "Quân",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Yến",
)
STREETS = (
    "Hùng Vương",
    "Nguyễn Huệ",
    "Trần Hưng Đạo",
    "Lê Lợi",
    "Quốc lộ 1",
    "Châu Thị Kim",
    "Nguyễn Đình Chiểu",
    "Võ Văn Tần",
)
ISSUES = (
    "Bản sao giấy khai sinh",
    "Tờ khai có chữ ký của người yêu cầu",
    "Giấy tờ chứng minh nơi cư trú",
    "Bản vẽ thiết kế có chữ ký",
)


@dataclass
class Action:
    name: str
    at: datetime
    actor: str  # a username, or "@role" resolved at the agency where the dossier then is
    params: dict = field(default_factory=dict)


@dataclass
class Plan:
    index: int
    procedure: str  # national code
    agency: str  # receiving agency code
    applicant: dict
    channel: int
    delivery: str
    delivery_address: str
    quantity: int
    owner: str | None  # citizen username for online dossiers
    received_at: datetime
    actions: list[Action]


@dataclass
class Context:
    """What plans are drawn from: procedures with their weights and handling agencies."""

    procedures: list[tuple[str, float, list[str], float]]  # code, weight, agencies, budget days
    citizens: list[str]
    calendar: WorkingCalendar
    start: datetime
    end: datetime


def _person(rng: random.Random) -> dict:
    name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    return {
        "name": name,
        "phone": f"09{rng.randrange(10**8):08d}",
        "id_number": f"0{rng.randrange(10**11):011d}",
        "address": f"{rng.randrange(1, 400)} {rng.choice(STREETS)}",
    }


def plan_dossier(seed: int, index: int, ctx: Context, received_at: datetime) -> Plan:
    rng = random.Random(seed * 1_000_003 + index)
    code, _weight, agencies, budget_days = rng.choices(
        ctx.procedures, weights=[p[1] for p in ctx.procedures]
    )[0]
    agency = rng.choice(agencies)
    roll = rng.random()
    channel = Channel.ONLINE if roll < 0.35 else (Channel.POST if roll < 0.40 else Channel.COUNTER)
    delivery = rng.choices(
        [Delivery.COUNTER, Delivery.POST, Delivery.ELECTRONIC], weights=[6, 1, 3]
    )[0]
    applicant = _person(rng)
    if rng.random() < 0.3:
        applicant["email"] = f"nguoinop{index}@example.vn"
    plan = Plan(
        index=index,
        procedure=code,
        agency=agency,
        applicant=applicant,
        channel=int(channel),
        delivery=str(delivery),
        delivery_address=applicant["address"] if delivery == Delivery.POST else "",
        quantity=rng.randint(1, 5),
        owner=rng.choice(ctx.citizens) if channel == Channel.ONLINE and ctx.citizens else None,
        received_at=received_at,
        actions=[],
    )
    if plan.owner is None and channel == Channel.ONLINE:
        plan.channel = int(Channel.COUNTER)
    _story(rng, plan, ctx, budget_days)
    return plan


def _story(rng: random.Random, plan: Plan, ctx: Context, budget_days: float) -> None:
    """The life of the dossier after reception, cut short if it is still open at the end."""
    cal = ctx.calendar
    day = cal.day_seconds
    # Pace: most finish well within time, some late.
    pace = rng.uniform(1.05, 1.8) if rng.random() < 0.08 else rng.uniform(0.25, 0.95)
    total = max(900, int(max(budget_days, 0.25) * day * pace))
    moment = plan.received_at

    def later(share: float) -> datetime:
        nonlocal moment
        moment = cal.add_working_seconds(moment, max(60, int(total * share)))
        return moment

    actions = plan.actions
    roll = rng.random()
    if roll < 0.01:
        actions.append(
            Action("withdraw", later(0.2), "@reception", {"reasons": "Người nộp xin rút hồ sơ"})
        )
        return
    actions.append(Action("forward", later(0.05), "@step"))
    if rng.random() < 0.11:
        actions.append(
            Action(
                "request_supplement",
                later(0.15),
                "@step",
                {"missing_items": rng.sample(ISSUES, rng.randint(1, 2))},
            )
        )
        actions.append(Action("receive_supplement", later(0.3), "@reception"))
        if rng.random() < 0.08:
            actions.append(
                Action(
                    "request_supplement",
                    later(0.05),
                    "@step",
                    {"missing_items": [rng.choice(ISSUES)]},
                )
            )
            actions.append(Action("receive_supplement", later(0.2), "@reception"))
    if rng.random() < 0.03:
        actions.append(
            Action("suspend", later(0.1), "@leader", {"reasons": "Chờ kết quả xác minh"})
        )
        actions.append(Action("resume", later(0.3), "@leader"))
    if pace > 1 and rng.random() < 0.5:
        actions.append(
            Action(
                "apologize",
                later(0.05),
                "@leader",
                {"reasons": "Cần thêm thời gian xác minh", "extra_days": 3},
            )
        )
    if rng.random() < 0.02:
        actions.append(
            Action("reject", later(0.3), "@leader", {"reasons": "Không đủ điều kiện theo quy định"})
        )
        return
    actions.append(Action("advance", later(0.3), "@step"))  # forward through to the approval step
    # The step's own people approve (a division head or a leader) and, at the step after
    # approval, register the result (motcua.dossiers.ownership).
    actions.append(Action("approve", later(0.1), "@step"))
    actions.append(
        Action(
            "mark_result_ready",
            later(0.05),
            "@step",
            {"result_summary": "Đã có kết quả giải quyết"},
        )
    )
    pickup = timedelta(hours=rng.choice((1, 3, 20, 26, 50)))
    actions.append(Action("return_result", moment + pickup, "@reception"))
    # A dossier whose story runs past the end of the generated period is still open there.
    while actions and actions[-1].at > ctx.end:
        actions.pop()


def reception_moments(seed: int, count: int, ctx: Context) -> list[datetime]:
    """`count` reception times spread over working time between start and end, in order."""
    rng = random.Random(seed)
    cal = ctx.calendar
    span = cal.working_seconds_between(ctx.start, ctx.end)
    offsets = sorted(rng.randrange(span) for _ in range(count))
    return [cal.add_working_seconds(ctx.start, offset) for offset in offsets]
