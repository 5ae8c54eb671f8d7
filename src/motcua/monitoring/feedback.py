"""Feedback (phản ánh, kiến nghị) handled on time, Decision 766 indicator 5.2, read straight
from the feedback records: a province receives hundreds a month, not millions, so no counters.

A piece of feedback counts for the agency it is addressed to (feedback addressed to no agency
only in the province's figures), and for its procedure in a field's. In a period: *answered*
if its answer is dated in the period, *in time* when no later than its due time (15 working
days); *open* if sent before the period's end (now, for the current one) and not answered by
then, *in time* while its due time has not passed.

Satisfaction with the handling (5.3) takes the feedback *received* in the period; it is *ok*
unless its sender judged the answer unsatisfying, or it was answered after its due time, or it
is still unanswered past it at the period's end.
"""

from datetime import timedelta

from django.db.models import Count, F, Q
from django.utils import timezone

from motcua.portal.models import Feedback

from .periods import Period

NAMES = (
    "fb_answered",
    "fb_answered_in_time",
    "fb_open",
    "fb_open_in_time",
    "fb_received",
    "fb_received_ok",
)
COLUMNS = {"agency": "agency_id", "procedure": "procedure_id", None: None}


def boundaries(period: Period, now):
    from .figures import midnight

    today = timezone.localtime(now, timezone.get_default_timezone()).date()
    stop = midnight(min(period.end, today) + timedelta(days=1))
    return midnight(period.start), stop, (now if period.end >= today else stop)


def conditions(period: Period, now) -> dict[str, Q]:
    start, stop, boundary = boundaries(period, now)
    answered = Q(answered_at__gte=start, answered_at__lt=stop)
    still_open = Q(created_at__lt=boundary) & (
        Q(answered_at__isnull=True) | Q(answered_at__gte=boundary)
    )
    received = Q(created_at__gte=start, created_at__lt=stop)
    late = Q(answered_at__gt=F("due_at")) | Q(answered_at__isnull=True, due_at__lt=boundary)
    late |= Q(due_at__isnull=True)
    return {
        "fb_received": received,
        "fb_received_ok": received & ~late & ~Q(verdict=Feedback.Verdict.UNSATISFIED),
        "fb_answered": answered,
        "fb_answered_in_time": answered & Q(answered_at__lte=F("due_at")),
        "fb_open": still_open,
        "fb_open_in_time": still_open & Q(due_at__gte=boundary),
    }


def in_scope(scope):
    qs = Feedback.objects.all()
    if scope.agencies is not None:
        qs = qs.filter(agency_id__in=scope.agencies)
    if scope.procedures is not None:
        qs = qs.filter(procedure_id__in=scope.procedures)
    return qs


def counts(scope, period: Period, now, by: str | None) -> dict:
    """{group key: {name: count}} for the scope and period, in one grouped query."""
    if by not in COLUMNS:
        return {}
    sums = {name: Count("pk", filter=q) for name, q in conditions(period, now).items()}
    qs = in_scope(scope).order_by()
    column = COLUMNS[by]
    if column is None:
        return {None: qs.aggregate(**sums)}
    return {
        row[column]: {n: row[n] for n in NAMES}
        for row in qs.exclude(**{f"{column}__isnull": True}).values(column).annotate(**sums)
    }
