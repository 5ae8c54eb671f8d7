"""A straightforward recount of the indicators from the dossier records, dossier by dossier,
written independently of motcua.monitoring (the thing it checks)."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from motcua.dossiers.models import Dossier, DossierEvent, DossierFile
from motcua.portal.models import Feedback

TZ = timezone.get_default_timezone()
RESULT_STATES = {"result_ready", "returned"}
NOT_ENDED = {"received", "processing", "awaiting_supplement", "suspended"}


def day(moment: datetime) -> date:
    return moment.astimezone(TZ).date()


def end_of(d: date) -> datetime:
    return datetime.combine(d + timedelta(days=1), time(), tzinfo=TZ)


def recount(agencies, procedures, start: date, end: date, now: datetime) -> dict[str, int]:
    today = day(now)
    at_now = end >= today
    end = min(end, today)
    boundary = now if at_now else end_of(end)
    counts = dict.fromkeys(
        [
            "received",
            "received_online",
            "received_post",
            "received_counter",
            "carried",
            "finished",
            "early",
            "on_time",
            "late",
            "finished_in_time",
            "in_progress",
            "overdue",
            "in_time",
            "ended_result",
            "e_result",
            "digitized",
            "online_e_result",
            "dissatisfied",
            "negative",
            "fee_bearing",
            "fee_paid",
            "fee_paid_online",
            "apologies",
        ],
        0,
    )
    dossiers = Dossier.objects.exclude(received_at=None).exclude(
        state__in=["draft", "submitted", "not_received"]
    )
    for d in dossiers.prefetch_related("files", "pauses", "events", "payments"):
        if agencies is not None and d.receiving_agency_id not in agencies:
            continue
        if procedures is not None and d.procedure_id not in procedures:
            continue
        purposes = {f.purpose for f in d.files.all()}
        has_result = DossierFile.Purpose.RESULT in purposes
        has_inputs = bool(purposes & {"input", "supplement"})
        rating = getattr(d, "rating", None) if hasattr(d, "rating") else None
        negative = (rating is not None and rating.is_negative) or d.feedback_set.exists()
        if d.state in RESULT_STATES:
            ended = d.result_ready_at or d.finished_at
        elif d.state in ("rejected", "withdrawn"):
            ended = d.finished_at
        else:
            ended = None
        late = ended is not None and (
            d.supplement_requests > 1 or (d.due_at is not None and ended > d.due_at)
        )
        early = (
            ended is not None and not late and d.due_at is not None and day(ended) < day(d.due_at)
        )
        received_in = start <= day(d.received_at) <= end
        if received_in:
            counts["received"] += 1
            key = {1: "received_counter", 2: "received_online", 3: "received_post"}[d.channel]
            counts[key] += 1
            if d.channel == 2 and has_result:
                counts["online_e_result"] += 1
            if has_inputs and (d.state not in RESULT_STATES or has_result):
                counts["digitized"] += 1
            if d.fee_due > 0:
                counts["fee_bearing"] += 1
                if d.fee_paid >= d.fee_due:
                    counts["fee_paid"] += 1
                if any(p.method == "online" and p.status == "paid" for p in d.payments.all()):
                    counts["fee_paid_online"] += 1
        start_moment = end_of(start - timedelta(days=1))
        if d.received_at < start_moment and (ended is None or ended >= start_moment):
            counts["carried"] += 1
        if ended is not None and start <= day(ended) <= end:
            counts["finished"] += 1
            counts["late" if late else ("early" if early else "on_time")] += 1
            if not late:
                counts["finished_in_time"] += 1
            if d.state in RESULT_STATES:
                counts["ended_result"] += 1
                if has_result:
                    counts["e_result"] += 1
            if late or negative:
                counts["dissatisfied"] += 1
            if negative:
                counts["negative"] += 1
        # Open at the boundary (now, or the end of the period's last day).
        if at_now:
            is_open = d.state in NOT_ENDED
        else:
            is_open = d.received_at < boundary and (ended is None or ended >= boundary)
        if is_open:
            counts["in_progress"] += 1
            open_pause = [p for p in d.pauses.all() if p.ended_at is None]
            paused_in_time = (
                ended is None
                and d.state in ("awaiting_supplement", "suspended")
                and open_pause
                and d.due_at is not None
                and max(p.started_at for p in open_pause) <= d.due_at
            )
            if d.due_at is not None and d.due_at < boundary and not paused_in_time:
                counts["overdue"] += 1
        for e in d.events.all():
            if e.action == "apologize" and start <= day(e.at) <= end:
                counts["apologies"] += 1
    counts["in_time"] = counts["in_progress"] - counts["overdue"]
    counts.update(_feedback(agencies, procedures, start, end, boundary))
    return counts


def _feedback(agencies, procedures, start: date, end: date, boundary: datetime) -> dict:
    """Feedback answered in the period (in time: by its due time) and open at its end (in
    time: not yet due)."""
    names = ["fb_answered", "fb_answered_in_time", "fb_open", "fb_open_in_time"]
    out = dict.fromkeys([*names, "fb_received", "fb_received_ok"], 0)
    first, last = end_of(start - timedelta(days=1)), end_of(end)
    for fb in Feedback.objects.all():
        if agencies is not None and fb.agency_id not in agencies:
            continue
        if procedures is not None and fb.procedure_id not in procedures:
            continue
        due = fb.due_at
        if first <= fb.created_at < last:
            out["fb_received"] += 1
            if fb.answered_at is not None:
                late = due is None or fb.answered_at > due
            else:
                late = due is None or due < boundary
            if not late and fb.verdict != "unsatisfied":
                out["fb_received_ok"] += 1
        if fb.answered_at is not None and first <= fb.answered_at < last:
            out["fb_answered"] += 1
            if due is not None and fb.answered_at <= due:
                out["fb_answered_in_time"] += 1
        if fb.created_at < boundary and (fb.answered_at is None or fb.answered_at >= boundary):
            out["fb_open"] += 1
            if due is not None and due >= boundary:
                out["fb_open_in_time"] += 1
    return out


def apology_count() -> int:
    return DossierEvent.objects.filter(action="apologize").count()
