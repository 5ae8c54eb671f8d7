"""The officers' work queues: each a named filter over the dossiers an officer may see.

A queue is a worklist of those who handle dossiers: it lists applicants' names, so it holds
only the dossiers whose personal data the officer may read (`dossier.view_personal`). A
supervisor follows dossiers through the monitoring drill-downs instead, without names.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from motcua.dossiers import ownership
from motcua.dossiers.lifecycle import State
from motcua.dossiers.models import Dossier, DossierStep
from motcua.dossiers.permissions import VIEW_PERSONAL
from motcua.dossiers.selectors import visible_dossiers
from motcua.org.models import Role
from motcua.org.permissions import can, reachable_agency_ids
from motcua.org.selectors import active_assignments

OPEN = [
    State.RECEIVED,
    State.PROCESSING,
    State.AWAITING_SUPPLEMENT,
    State.SUSPENDED,
    State.RESULT_READY,
]
APPROVERS = (Role.AGENCY_LEADER, Role.DIVISION_HEAD)


@dataclass(frozen=True)
class Queue:
    slug: str
    label: str
    roles: frozenset  # who sees this queue on the home page (empty: everyone)
    colour: str = ""
    # An owned queue holds the dossiers waiting for its owner to act (motcua.dossiers.
    # ownership): each open dossier is in exactly one. The others are views for following.
    owned: bool = False
    hint: str = ""


HANDLING = frozenset(
    {Role.RECEPTION_OFFICER, Role.SPECIALIST, Role.DIVISION_HEAD, Role.AGENCY_LEADER, Role.CLERK}
)
QUEUES = (
    Queue(
        ownership.MINE,
        _("Tôi đang xử lý"),
        HANDLING,
        owned=True,
        hint=_("Các bước bạn đã nhận hoặc được giao"),
    ),
    Queue(
        ownership.POOL,
        _("Chờ nhận việc"),
        HANDLING,
        owned=True,
        hint=_("Bước của bộ phận bạn, chưa ai nhận: bấm “Nhận xử lý”"),
    ),
    Queue(
        ownership.ONLINE,
        _("Hồ sơ trực tuyến chờ tiếp nhận"),
        frozenset({Role.RECEPTION_OFFICER}),
        owned=True,
    ),
    Queue(
        ownership.TO_RETURN,
        _("Chờ trả kết quả"),
        frozenset({Role.RECEPTION_OFFICER}),
        owned=True,
    ),
    Queue("can-phan-cong", _("Chờ phân công"), frozenset(APPROVERS)),
    Queue("cho-phe-duyet", _("Chờ phê duyệt, ký"), frozenset(APPROVERS)),
    Queue("cho-bo-sung", _("Chờ bổ sung"), frozenset()),
    Queue("tam-dung", _("Tạm dừng"), frozenset()),
    Queue("sap-den-han", _("Sắp đến hạn"), frozenset(), "yellow"),
    Queue("qua-han", _("Quá hạn"), frozenset(), "red"),
    Queue("tat-ca", _("Tất cả hồ sơ"), frozenset()),
)
BY_SLUG = {q.slug: q for q in QUEUES}


def base(user) -> QuerySet[Dossier]:
    """Dossiers whose progress the officer may follow (motcua.dossiers.selectors)."""
    return visible_dossiers(user)


def _conditions(user) -> dict[str, Q]:
    now = timezone.now()
    agencies = reachable_agency_ids(user, VIEW_PERSONAL)
    here = Q() if agencies is None else Q(current_agency_id__in=agencies)
    open_ = Q(state__in=OPEN)
    soon = now + timedelta(days=2)
    return {
        ownership.ONLINE: Q(state=State.SUBMITTED) & ownership.counter_condition(user),
        # Steps nobody holds in the agencies he assigns for, whichever pool they wait in.
        "can-phan-cong": Q(state__in=ownership.AT_A_STEP, assignee__isnull=True) & here,
        ownership.MINE: ownership.person_condition(user),
        ownership.POOL: ownership.pool_condition(user),
        # An open step held by a leader: Exists rather than a join, so rows never repeat.
        "cho-phe-duyet": Q(state=State.PROCESSING, approved_at__isnull=True)
        & Q(
            Exists(
                DossierStep.objects.filter(
                    dossier=OuterRef("pk"), finished_at__isnull=True, role__in=APPROVERS
                )
            )
        )
        & here,
        "cho-bo-sung": Q(state=State.AWAITING_SUPPLEMENT) & here,
        "tam-dung": Q(state=State.SUSPENDED) & here,
        ownership.TO_RETURN: Q(state=State.RESULT_READY) & ownership.counter_condition(user),
        # Due soon: within two calendar days; the dossier page shows the exact working time.
        "sap-den-han": open_ & Q(due_at__gte=now, due_at__lt=soon) & here,
        "qua-han": Q(
            state__in=[State.RECEIVED, State.PROCESSING, State.RESULT_READY], due_at__lt=now
        )
        & here,
        "tat-ca": Q(),
    }


def queue(user, slug: str) -> QuerySet[Dossier]:
    """A queue's dossiers. Every queue but "all" already names the agencies it looks at (where
    the dossier is, or where it was received), so only "all" needs the full visibility rule."""
    if slug == "tat-ca":
        return visible_dossiers(user, VIEW_PERSONAL)
    return Dossier.objects.exclude(state=State.DRAFT).filter(_conditions(user)[slug])


# The states a queue other than "all" can hold: counting only these lets the database skip the
# finished dossiers, which are nearly all of them after a few years.
WAITING = [State.SUBMITTED, *OPEN]


def ordering(slug: str, field: str) -> list:
    """The ORDER BY of a queue's page.

    Every queue but "all" holds only waiting dossiers, a few thousand at most. Sorted by a
    bare column, the database may walk that column's index over the whole history and filter
    row by row, hoping to meet 25 waiting dossiers early (SQLite always did; PostgreSQL at a
    million dossiers: 390 ms for the "late" queue). Sorted by an expression no index holds,
    it finds the waiting dossiers by (state, due) and sorts those.
    """
    if slug == "tat-ca":
        return [field, "pk"]
    name = field.lstrip("-")
    opaque = Coalesce(name, name)
    return [opaque.desc() if field.startswith("-") else opaque.asc(), "pk"]


def counts(user) -> dict[str, int]:
    """Every queue's size but "all", over the dossiers still waiting: one query, or on SQLite
    one per waiting state. SQLite's statistics give each state the average share of the table,
    so for seven states at once it reads the whole table; one state at a time, it reads the
    state's index entries only."""
    conditions = _conditions(user)
    del conditions["tat-ca"]
    aggregates = {slug.replace("-", "_"): Count("pk", filter=c) for slug, c in conditions.items()}
    if connection.vendor == "sqlite":
        rows = [Dossier.objects.filter(state=s).aggregate(**aggregates) for s in WAITING]
    else:
        rows = [Dossier.objects.filter(state__in=WAITING).aggregate(**aggregates)]
    return {slug: sum(row[slug.replace("-", "_")] or 0 for row in rows) for slug in conditions}


def home_queues(user) -> list[Queue]:
    if not can(user, VIEW_PERSONAL):
        return []  # the queues would be empty: no worklist without the applicants' data
    roles = {a.role for a in active_assignments(user)}
    if user.is_superuser or Role.SUPERVISOR in roles or Role.ADMINISTRATOR in roles:
        return list(QUEUES)
    return [q for q in QUEUES if not q.roles or q.roles & roles]
