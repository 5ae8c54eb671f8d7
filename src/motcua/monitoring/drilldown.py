"""The dossiers behind each figure: the same rules as facts.py, written as queries, so a
list's length equals the figure that links to it (tests check both ways)."""

from datetime import timedelta

from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.dossiers.lifecycle import State
from motcua.dossiers.models import Channel, Dossier, DossierEvent, DossierFile, Pause
from motcua.payments.models import Payment
from motcua.portal.models import Feedback, Rating

from .facts import ENDED_WITH_RESULT, PAUSED
from .figures import NOT_ENDED, Scope, midnight
from .periods import Period
from .tally import INPUT_PURPOSES

METRICS = {
    "received": _("Hồ sơ tiếp nhận trong kỳ"),
    "received_online": _("Tiếp nhận trực tuyến"),
    "received_counter": _("Tiếp nhận trực tiếp"),
    "received_post": _("Tiếp nhận qua bưu chính"),
    "carried": _("Kỳ trước chuyển qua"),
    "finished": _("Đã giải quyết trong kỳ"),
    "finished_in_time": _("Giải quyết trước và đúng hạn"),
    "early": _("Giải quyết trước hạn"),
    "on_time": _("Giải quyết đúng hạn"),
    "late": _("Giải quyết quá hạn"),
    "in_progress": _("Đang giải quyết cuối kỳ"),
    "in_time": _("Đang giải quyết, trong hạn"),
    "overdue": _("Đang giải quyết, quá hạn"),
    "online_e_result": _("Nộp trực tuyến, có kết quả điện tử"),
    "digitized": _("Hồ sơ được số hóa"),
    "ended_result": _("Có kết quả giải quyết"),
    "e_result": _("Có kết quả điện tử"),
    "dissatisfied": _("Quá hạn hoặc không hài lòng"),
    "negative": _("Không hài lòng hoặc bị phản ánh"),
    "fee_bearing": _("Hồ sơ có phí, lệ phí"),
    "fee_paid": _("Đã nộp phí, lệ phí"),
    "fee_paid_online": _("Thanh toán phí, lệ phí trực tuyến"),
    "apologies": _("Văn bản xin lỗi đã phát hành"),
    "progress_all": _("Đã và đang giải quyết"),
    "progress_in_time": _("Đã và đang giải quyết trong hạn"),
    "satisfied": _("Đã giải quyết, không quá hạn và không bị phản ánh"),
}


def _annotated(scope: Scope) -> QuerySet[Dossier]:
    tz = timezone.get_default_timezone()
    return scope.dossiers().annotate(
        ended_at=Case(
            When(
                state__in=list(ENDED_WITH_RESULT), then=Coalesce("result_ready_at", "finished_at")
            ),
            When(state__in=[State.REJECTED, State.WITHDRAWN], then=F("finished_at")),
            default=None,
        ),
        ended_day=TruncDate("ended_at", tzinfo=tz),
        due_day=TruncDate("due_at", tzinfo=tz),
    )


def _has_file(purposes) -> Exists:
    return Exists(DossierFile.objects.filter(dossier=OuterRef("pk"), purpose__in=purposes))


def _negative() -> Q:
    return Q(Exists(Rating.objects.filter(dossier=OuterRef("pk"), is_negative=True))) | Q(
        Exists(Feedback.objects.filter(dossier=OuterRef("pk")))
    )


def _open_at(start, end_moment) -> Q:
    """Received before `end_moment` and not ended before it (ended at or after)."""
    return Q(received_at__lt=end_moment) & (Q(ended_at__isnull=True) | Q(ended_at__gte=end_moment))


def dossiers(scope: Scope, period: Period, metric: str, now=None) -> QuerySet[Dossier]:
    """The dossiers behind `metric` for the scope and period."""
    now = now or timezone.now()
    today = timezone.localtime(now, timezone.get_default_timezone()).date()
    at_now = period.end >= today
    start = midnight(period.start)
    stop = midnight(min(period.end, today) + timedelta(days=1))
    qs = (
        _annotated(scope)
        .filter(received_at__isnull=False)
        .exclude(state__in=[State.DRAFT, State.SUBMITTED, State.NOT_RECEIVED])
    )
    received = Q(received_at__gte=start, received_at__lt=stop)
    finished = Q(ended_at__gte=start, ended_at__lt=stop)
    late = Q(supplement_requests__gt=1) | Q(ended_at__gt=F("due_at"))
    in_time_verdict = ~late | Q(supplement_requests__lte=1, due_at__isnull=True)
    early = in_time_verdict & Q(due_at__isnull=False, ended_day__lt=F("due_day"))
    within_pause = Pause.objects.filter(
        dossier=OuterRef("pk"), ended_at__isnull=True, started_at__lte=OuterRef("due_at")
    )
    paused_in_time = Q(state__in=list(PAUSED)) & Q(Exists(within_pause))
    paid_online = Payment.objects.filter(
        dossier=OuterRef("pk"), method=Payment.Method.ONLINE, status=Payment.Status.PAID
    )
    if at_now:
        in_progress = Q(state__in=NOT_ENDED)
        overdue = in_progress & Q(due_at__lt=now) & ~paused_in_time
    else:
        in_progress = _open_at(start, stop)
        overdue = in_progress & Q(due_at__lt=stop) & ~(Q(ended_at__isnull=True) & paused_in_time)
    e_result = Q(state__in=list(ENDED_WITH_RESULT)) & Q(_has_file([DossierFile.Purpose.RESULT]))
    conditions = {
        "received": received,
        "received_online": received & Q(channel=Channel.ONLINE),
        "received_post": received & Q(channel=Channel.POST),
        "received_counter": received & Q(channel=Channel.COUNTER),
        "carried": _open_at(start, start),
        "finished": finished,
        "finished_in_time": finished & in_time_verdict,
        "early": finished & early,
        "on_time": finished & in_time_verdict & ~early,
        "late": finished & late,
        "in_progress": in_progress,
        "in_time": in_progress & ~overdue,
        "overdue": overdue,
        "online_e_result": received
        & Q(channel=Channel.ONLINE)
        & Q(_has_file([DossierFile.Purpose.RESULT])),
        "digitized": received
        & Q(_has_file(INPUT_PURPOSES))
        & (~Q(state__in=list(ENDED_WITH_RESULT)) | Q(_has_file([DossierFile.Purpose.RESULT]))),
        "ended_result": finished & Q(state__in=list(ENDED_WITH_RESULT)),
        "e_result": finished & e_result,
        "dissatisfied": finished & (late | _negative()),
        "negative": finished & _negative(),
        "fee_bearing": received & Q(fee_due__gt=0),
        "fee_paid": received & Q(fee_due__gt=0, fee_paid__gte=F("fee_due")),
        "fee_paid_online": received & Q(fee_due__gt=0) & Q(Exists(paid_online)),
        "progress_all": finished | in_progress,
        "progress_in_time": (finished & in_time_verdict) | (in_progress & ~overdue),
        "satisfied": finished & ~(late | _negative()),
    }
    if metric == "apologies":
        # One row per letter: a dossier apologised for twice in the period shows twice.
        letters = DossierEvent.objects.filter(action="apologize", at__gte=start, at__lt=stop)
        return qs.filter(events__in=letters)
    return qs.filter(conditions[metric])
