"""The dossier lifecycle, as one table: every state, and every action with where it may start,
where it ends, who may take it and what it needs.

Read a row as: "<action>: from any of <sources>, to <target>, by <who>, needing <requires>".
A target of SAME leaves the state as it is (the action records something: an assignment, a
hand-over to the next step, an approval, an apology). The staff screens draw their buttons from
this table, the API accepts exactly these actions, and the tests are generated from it.
"""

from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from motcua.org.models import Role


class State(models.TextChoices):
    DRAFT = "draft", _("Nháp")
    SUBMITTED = "submitted", _("Chờ tiếp nhận")
    RECEIVED = "received", _("Đã tiếp nhận")
    PROCESSING = "processing", _("Đang xử lý")
    AWAITING_SUPPLEMENT = "awaiting_supplement", _("Chờ bổ sung")
    SUSPENDED = "suspended", _("Tạm dừng")
    RESULT_READY = "result_ready", _("Chờ trả kết quả")
    RETURNED = "returned", _("Đã trả kết quả")
    REJECTED = "rejected", _("Từ chối giải quyết")
    NOT_RECEIVED = "not_received", _("Từ chối tiếp nhận")
    WITHDRAWN = "withdrawn", _("Rút hồ sơ")


FINISHED = frozenset({State.RETURNED, State.REJECTED, State.WITHDRAWN})
CLOSED = FINISHED | {State.NOT_RECEIVED}
PAUSED = frozenset({State.AWAITING_SUPPLEMENT, State.SUSPENDED})
# States in which the processing clock runs.
RUNNING = frozenset({State.RECEIVED, State.PROCESSING})

# Status codes of the national public service portal, for synchronisation.
NATIONAL_STATUS = {
    State.DRAFT: 1,
    State.SUBMITTED: 1,
    State.RECEIVED: 2,
    State.NOT_RECEIVED: 3,
    State.PROCESSING: 4,
    State.AWAITING_SUPPLEMENT: 5,
    State.WITHDRAWN: 7,
    State.SUSPENDED: 8,
    State.RESULT_READY: 9,
    State.REJECTED: 9,
    State.RETURNED: 10,
}

APPLICANT = "applicant"  # the dossier's owner (citizen account), not a staff role
SAME = None

# Where the acting officer must hold the role: at the agency that received the dossier (the
# one-stop counter), or at the agency where the dossier is being processed now.
RECEIVING = "receiving"
CURRENT = "current"

# What an action needs from the person taking it.
NOTE = "note"  # a note for the control sheet
REASONS = "reasons"  # reasons given to the applicant (refusal, stopping)
MISSING_ITEMS = "missing_items"  # every missing or wrong item, listed at once
NEW_APPOINTMENT = "new_appointment"  # a later date and time to return the result
ASSIGNEE = "assignee"  # the officer who will handle the step
RESULT_FILE = "result_file"  # the result, digitized, before it can be handed over

RECEPTION = Role.RECEPTION_OFFICER
SPECIALIST = Role.SPECIALIST
HEAD = Role.DIVISION_HEAD
LEADER = Role.AGENCY_LEADER
CLERK = Role.CLERK


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: frozenset
    target: str | None
    who: frozenset
    scope: str = CURRENT
    requires: tuple = ()
    form: str | None = None  # the official form this action issues
    pauses: bool = False  # starts a pause of the clock
    ends_pause: bool = False
    finishes: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def staff_roles(self) -> frozenset:
        return frozenset(r for r in self.who if r != APPLICANT)


def _t(action, label, sources, target, who, **kw) -> Transition:
    return Transition(action, label, frozenset(sources), target, frozenset(who), **kw)


S = State
TRANSITIONS: tuple[Transition, ...] = (
    _t("submit", _("Nộp hồ sơ"), {S.DRAFT}, S.SUBMITTED, {APPLICANT}, scope=RECEIVING),
    _t(
        "receive",
        _("Tiếp nhận hồ sơ"),
        {S.SUBMITTED},
        S.RECEIVED,
        {RECEPTION},
        scope=RECEIVING,
        form="01",
    ),
    _t(
        "request_completion",
        _("Yêu cầu bổ sung, hoàn thiện hồ sơ"),
        {S.SUBMITTED},
        S.DRAFT,
        {RECEPTION},
        scope=RECEIVING,
        requires=(MISSING_ITEMS,),
        form="02",
    ),
    _t(
        "refuse_reception",
        _("Từ chối tiếp nhận"),
        {S.SUBMITTED},
        S.NOT_RECEIVED,
        {RECEPTION},
        scope=RECEIVING,
        requires=(REASONS,),
        form="03",
    ),
    _t(
        "assign",
        _("Phân công xử lý"),
        {S.RECEIVED, S.PROCESSING},
        SAME,
        {HEAD, LEADER},
        requires=(ASSIGNEE,),
    ),
    # Taking an unassigned step from its pool (motcua.dossiers.ownership): one click.
    _t(
        "claim",
        _("Nhận xử lý"),
        {S.RECEIVED, S.PROCESSING, S.AWAITING_SUPPLEMENT, S.SUSPENDED},
        SAME,
        {RECEPTION, SPECIALIST, HEAD, LEADER, CLERK},
    ),
    _t(
        "forward",
        _("Chuyển bước tiếp theo"),
        {S.RECEIVED, S.PROCESSING},
        S.PROCESSING,
        {RECEPTION, SPECIALIST, HEAD, LEADER},
    ),
    _t(
        "request_supplement",
        _("Yêu cầu bổ sung hồ sơ"),
        {S.RECEIVED, S.PROCESSING},
        S.AWAITING_SUPPLEMENT,
        {RECEPTION, SPECIALIST, HEAD, LEADER},
        requires=(MISSING_ITEMS,),
        form="02",
        pauses=True,
    ),
    _t(
        "receive_supplement",
        _("Nhận hồ sơ bổ sung"),
        {S.AWAITING_SUPPLEMENT},
        S.PROCESSING,
        {RECEPTION, SPECIALIST, APPLICANT},
        ends_pause=True,
    ),
    _t(
        "suspend",
        _("Dừng giải quyết"),
        {S.RECEIVED, S.PROCESSING},
        S.SUSPENDED,
        {HEAD, LEADER},
        requires=(REASONS,),
        form="05",
        pauses=True,
    ),
    _t(
        "resume",
        _("Tiếp tục giải quyết"),
        {S.SUSPENDED},
        S.PROCESSING,
        {SPECIALIST, HEAD, LEADER},
        ends_pause=True,
    ),
    _t("approve", _("Phê duyệt kết quả"), {S.PROCESSING}, SAME, {HEAD, LEADER}),
    _t(
        "reject",
        _("Từ chối giải quyết"),
        {S.RECEIVED, S.PROCESSING},
        S.REJECTED,
        {LEADER},
        requires=(REASONS,),
        finishes=True,
    ),
    _t(
        "apologize",
        _("Xin lỗi, hẹn lại ngày trả kết quả"),
        {S.RECEIVED, S.PROCESSING, S.AWAITING_SUPPLEMENT, S.SUSPENDED},
        SAME,
        {LEADER},
        requires=(NEW_APPOINTMENT, REASONS),
        form="04",
    ),
    _t(
        "mark_result_ready",
        _("Có kết quả, chờ trả"),
        {S.PROCESSING},
        S.RESULT_READY,
        {RECEPTION, SPECIALIST, CLERK, LEADER},
        requires=(RESULT_FILE,),
    ),
    _t(
        "return_result",
        _("Trả kết quả"),
        {S.RESULT_READY},
        S.RETURNED,
        {RECEPTION},
        scope=RECEIVING,
        finishes=True,
    ),
    _t(
        "withdraw",
        _("Rút hồ sơ"),
        {S.SUBMITTED, S.RECEIVED, S.PROCESSING, S.AWAITING_SUPPLEMENT, S.SUSPENDED},
        S.WITHDRAWN,
        {APPLICANT, RECEPTION},
        scope=RECEIVING,
        requires=(REASONS,),
        finishes=True,
    ),
)

BY_ACTION: dict[str, Transition] = {t.action: t for t in TRANSITIONS}
ACTIONS: tuple[str, ...] = tuple(BY_ACTION)


def transition(action: str) -> Transition:
    try:
        return BY_ACTION[action]
    except KeyError:
        raise LookupError(action) from None


def actions_from(state: str) -> list[Transition]:
    """The actions whose table row allows starting from `state`."""
    return [t for t in TRANSITIONS if state in t.sources]
