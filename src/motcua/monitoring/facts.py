"""A dossier's facts for the indicators, and what they contribute to the counters.

The facts are a small tuple computed from the dossier's row and a few questions about it
(files, an open pause, the applicant's opinion, an online payment). Each fact set maps to counts on days; the
counters are the sum over all dossiers, so replacing a dossier's old contribution by its new
one keeps them exact. docs/indicators.md, section 8, states the rules in words.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from motcua.dossiers.lifecycle import State
from motcua.dossiers.models import Channel

# End of processing (766, rule 2): the result ready wins over its hand-over.
ENDED_WITH_RESULT = frozenset({State.RESULT_READY, State.RETURNED})
ENDED = ENDED_WITH_RESULT | {State.REJECTED, State.WITHDRAWN}
PAUSED = frozenset({State.AWAITING_SUPPLEMENT, State.SUSPENDED})


@dataclass(frozen=True)
class Facts:
    agency: int
    procedure: int
    received: int  # local day, as a date ordinal
    channel: int
    end: int | None  # local day processing ended
    end_kind: str  # "r" result, "x" rejected, "w" withdrawn, "" not ended
    verdict: str  # "e" early, "o" on time, "l" late, "" not ended
    handling_seconds: int
    overdue_from: int | None  # first day at whose end the dossier is overdue and open
    fee: bool
    paid: bool
    inputs_digitized: bool
    e_result: bool
    rated: bool
    negative: bool  # rated "not satisfied", or feedback sent about it
    paid_online: bool = False  # a fee paid through the payment gateway (3.6)

    def encode(self) -> str:
        flags = "".join(
            "1" if v else "0"
            for v in (
                self.fee,
                self.paid,
                self.inputs_digitized,
                self.e_result,
                self.rated,
                self.negative,
                self.paid_online,
            )
        )
        return "|".join(
            str(v)
            for v in (
                self.agency,
                self.procedure,
                self.received,
                self.channel,
                "" if self.end is None else self.end,
                self.end_kind,
                self.verdict,
                self.handling_seconds,
                "" if self.overdue_from is None else self.overdue_from,
                flags,
            )
        )

    @classmethod
    def decode(cls, text: str) -> "Facts":
        a, p, r, ch, e, ek, v, hs, od, flags = text.split("|")
        # Facts stored before a flag was added lack it: it was false for all of them.
        f = [c == "1" for c in flags.ljust(len(FLAGS), "0")]
        return cls(
            int(a),
            int(p),
            int(r),
            int(ch),
            int(e) if e else None,
            ek,
            v,
            int(hs),
            int(od) if od else None,
            *f,
        )


FLAGS = ("fee", "paid", "inputs_digitized", "e_result", "rated", "negative", "paid_online")


def local_day(moment: datetime) -> date:
    return timezone.localtime(moment, timezone.get_default_timezone()).date()


def end_moment(state: str, result_ready_at, finished_at) -> datetime | None:
    if state in ENDED_WITH_RESULT:
        return result_ready_at or finished_at
    if state in (State.REJECTED, State.WITHDRAWN):
        return finished_at
    return None


def facts_of(row: dict) -> Facts | None:
    """Facts from a dossier's values (see tally.FIELDS) and the answers to the questions
    `has_inputs`, `has_result`, `pause_started`, `rated`, `negative`, `paid_online`.
    None: counts nowhere."""
    received_at = row["received_at"]
    state = row["state"]
    if received_at is None or state in (State.DRAFT, State.SUBMITTED, State.NOT_RECEIVED):
        return None
    due_at = row["due_at"]
    end_at = end_moment(state, row["result_ready_at"], row["finished_at"])
    received = local_day(received_at)
    end = end_kind = verdict = None
    seconds = 0
    due_day = local_day(due_at) if due_at else None
    if end_at is not None:
        end = local_day(end_at)
        end_kind = "r" if state in ENDED_WITH_RESULT else ("x" if state == State.REJECTED else "w")
        seconds = max(0, int((end_at - received_at).total_seconds()))
        # More than one supplement request makes a dossier late whatever its dates (766).
        if row["supplement_requests"] > 1 or (due_at is not None and end_at > due_at):
            verdict = "l"
        elif due_day is not None and end < due_day:
            verdict = "e"
        else:
            verdict = "o"
    overdue_from = None
    if due_day is not None:
        pause_started = row.get("pause_started")
        if end is not None:
            overdue_from = due_day if end > due_day else None
        elif state in PAUSED and pause_started is not None and pause_started <= due_at:
            # Waiting for the applicant (or stopped) within time: judged when the pause began.
            overdue_from = None
        else:
            overdue_from = due_day
    has_result = bool(row.get("has_result"))
    return Facts(
        agency=row["receiving_agency_id"],
        procedure=row["procedure_id"],
        received=received.toordinal(),
        channel=row["channel"],
        end=end.toordinal() if end else None,
        end_kind=end_kind or "",
        verdict=verdict or "",
        handling_seconds=seconds,
        overdue_from=overdue_from.toordinal() if overdue_from else None,
        fee=row["fee_due"] > 0,
        paid=row["fee_due"] > 0 and row["fee_paid"] >= row["fee_due"],
        inputs_digitized=bool(row.get("has_inputs")),
        e_result=has_result,
        rated=bool(row.get("rated")),
        negative=bool(row.get("negative")),
        paid_online=row["fee_due"] > 0 and bool(row.get("paid_online")),
    )


def contribution(f: Facts | None) -> dict[tuple[int, str], int]:
    """{(day ordinal, counter): amount} of one dossier."""
    out: dict[tuple[int, str], int] = {}
    if f is None:
        return out

    def add(day: int, counter: str, amount: int = 1) -> None:
        key = (day, counter)
        out[key] = out.get(key, 0) + amount

    r = f.received
    add(r, "received")
    if f.channel == Channel.ONLINE:
        add(r, "received_online")
        if f.e_result:
            add(r, "online_e_result")
    elif f.channel == Channel.POST:
        add(r, "received_post")
    # Digitized (4.2): papers attached as files and, once a result is issued, an e-result.
    if f.inputs_digitized and (f.end_kind != "r" or f.e_result):
        add(r, "digitized")
    if f.fee:
        add(r, "fee_bearing")
        if f.paid:
            add(r, "fee_paid")
        # Online payment (3.6): a fee-bearing dossier paid, in whole or part, online.
        if f.paid_online:
            add(r, "fee_paid_online")
    add(r, "ip_delta")
    if f.end is not None:
        e = f.end
        add(e, "ip_delta", -1)
        add(e, "finished")
        add(e, {"e": "early", "o": "on_time", "l": "late"}[f.verdict])
        add(e, {"r": "ended_result", "x": "ended_rejected", "w": "ended_withdrawn"}[f.end_kind])
        add(e, "handling_seconds", f.handling_seconds)
        if f.end_kind == "r" and f.e_result:
            add(e, "e_result")
        # Satisfaction (5.4): late or disliked, each dossier once.
        if f.verdict == "l" or f.negative:
            add(e, "dissatisfied")
        if f.rated:
            add(e, "rated")
        if f.negative:
            add(e, "negative")
    if f.overdue_from is not None:
        add(f.overdue_from, "od_delta")
        if f.end is not None:
            add(f.end, "od_delta", -1)
    return {k: v for k, v in out.items() if v}
