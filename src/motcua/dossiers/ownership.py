"""Who owns an open dossier now: one person, or one pool of people who take from it.

Every open dossier sits in exactly one owned queue:

| state                               | owner                                               |
| ----------------------------------- | --------------------------------------------------- |
| submitted online                    | the receiving agency's counter (reception pool)     |
| received, processing, paused        | the current step's assignee ("Tôi đang xử lý"), or, |
|                                     | while nobody has taken it, the step's pool: its     |
|                                     | role in its agency and division ("Chờ nhận việc")   |
| result ready                        | the receiving agency's counter ("Chờ trả kết quả")  |
| finished, refused, withdrawn, draft | nobody                                              |

A pool's members hold the step's role at the step's agency (an assignment there, not above
it) and belong to the step's division, by their assignment's division or their own; someone
who holds the role with no division at all covers every division of the agency. The step's
work (forwarding, approving, asking for more, marking the result ready) is for its owner
alone; who supervises (assigning, stopping, refusing, apologising) keeps the role rule of the
lifecycle table.
"""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.org.models import Role, RoleAssignment, User

from .lifecycle import State
from .models import Dossier, DossierStep

# States in which the current step's owner holds the dossier.
AT_A_STEP = (State.RECEIVED, State.PROCESSING, State.AWAITING_SUPPLEMENT, State.SUSPENDED)

# The owned queues (motcua.backoffice.queues shows them first on the home page).
MINE = "cua-toi"
POOL = "cho-nhan"
ONLINE = "truc-tuyen"
TO_RETURN = "cho-tra"
OWNED_QUEUES = (MINE, POOL, ONLINE, TO_RETURN)

# The step's own work: only its owner is offered it, and only its owner may do it.
OWNER_ONLY = frozenset({"forward", "request_supplement", "approve", "mark_result_ready"})


@dataclass(frozen=True)
class Owner:
    """The one queue a dossier is in: a person's, or a pool (agency, role, division)."""

    queue: str
    user_id: int | None = None
    agency_id: int | None = None
    role: str = ""
    division_code: str = ""

    @property
    def is_person(self) -> bool:
        return self.user_id is not None


def open_step(dossier: Dossier) -> DossierStep | None:
    return (
        dossier.steps.filter(finished_at__isnull=True)
        .select_related("agency", "assignee")
        .order_by("-order")
        .first()
    )


def owner_of(dossier: Dossier, step: DossierStep | None = None) -> Owner | None:
    """The owner of `dossier` now (`step`: its open step, when the caller has it)."""
    if dossier.state == State.SUBMITTED:
        return Owner(ONLINE, agency_id=dossier.receiving_agency_id, role=Role.RECEPTION_OFFICER)
    if dossier.state == State.RESULT_READY:
        return Owner(TO_RETURN, agency_id=dossier.receiving_agency_id, role=Role.RECEPTION_OFFICER)
    if dossier.state not in AT_A_STEP:
        return None
    step = step if step is not None else open_step(dossier)
    if step is None:
        return None
    if step.assignee_id is not None:
        return Owner(MINE, user_id=step.assignee_id)
    return Owner(POOL, agency_id=step.agency_id, role=step.role, division_code=step.division_code)


def _today_assignments() -> QuerySet[RoleAssignment]:
    today = timezone.localdate()
    return RoleAssignment.objects.filter(
        valid_from__lte=today, user__is_active=True, user__is_staff=True
    ).exclude(valid_to__lt=today)


def _in_division(division_code: str) -> Q:
    """Assignments that belong to a division: by the assignment's or the person's division,
    or by holding the role with no division at all (the whole agency)."""
    if not division_code:
        return Q()
    return (
        Q(division__code=division_code)
        | Q(division__isnull=True, user__division__code=division_code)
        | Q(division__isnull=True, user__division__isnull=True)
    )


def _holders(agency_id: int, role: str) -> QuerySet[RoleAssignment]:
    return _today_assignments().filter(agency_id=agency_id, role=role)


def pool_members(agency_id: int, role: str, division_code: str = "") -> QuerySet[User]:
    """The people who take a pool's work. A division nobody of the role belongs to (an
    agency organised differently from the process) falls to all who hold the role there."""
    holders = _holders(agency_id, role)
    in_division = holders.filter(_in_division(division_code))
    if division_code and not in_division.exists():
        in_division = holders
    return User.objects.filter(pk__in=in_division.values("user_id"))


def owner_members(owner: Owner) -> QuerySet[User]:
    if owner.is_person:
        return User.objects.filter(pk=owner.user_id, is_active=True)
    return pool_members(owner.agency_id, owner.role, owner.division_code)


def _own_division(assignment, user) -> str:
    if assignment.division_id:
        return assignment.division.code
    return user.division.code if user.division_id else ""


def is_member(user, step: DossierStep) -> bool:
    """Whether `user` belongs to the step's pool (and may take it while nobody holds it)."""
    from motcua.org.selectors import active_assignments

    for a in active_assignments(user):
        if a.agency_id != step.agency_id or a.role != step.role:
            continue
        code = _own_division(a, user)
        if not step.division_code or not code or code == step.division_code:
            return True
        held = _divisions_held(step.agency_id, step.role)
        if "" not in held and step.division_code not in held:
            return True  # a division nobody of the role belongs to (pool_members)
    return False


def _divisions_held(agency_id: int, role: str) -> set[str]:
    """The divisions of those who hold `role` at the agency; "" for one who covers them all."""
    holders = _holders(agency_id, role).select_related("division", "user__division")
    return {_own_division(h, h.user) for h in holders}


def pool_condition(user) -> Q:
    """The dossiers waiting in the pools `user` belongs to ("Chờ nhận việc")."""
    from motcua.org.selectors import active_assignments

    wanted = Q(pk__in=[])
    for a in active_assignments(user):
        if not a.agency_id:
            continue
        steps = Q(agency_id=a.agency_id, role=a.role)
        code = _own_division(a, user)
        if code:
            # His division's steps, those of no division, and those of a division nobody
            # of the role belongs to (pool_members).
            held = _divisions_held(a.agency_id, a.role)
            mine = Q(division_code__in=["", code])
            steps &= mine if "" in held else mine | ~Q(division_code__in=held)
        wanted |= steps
    steps = DossierStep.objects.filter(
        wanted, dossier=OuterRef("pk"), finished_at__isnull=True, assignee__isnull=True
    )
    return Q(state__in=AT_A_STEP, assignee__isnull=True) & Q(Exists(steps))


def counter_condition(user) -> Q:
    """The dossiers of the counters `user` works at: received by an agency where he holds
    the reception role himself (not one above it)."""
    from motcua.org.selectors import active_assignments

    if user.is_superuser:
        return Q()
    counters = [
        a.agency_id
        for a in active_assignments(user)
        if a.agency_id and a.role == Role.RECEPTION_OFFICER
    ]
    return Q(receiving_agency_id__in=counters)


def person_condition(user) -> Q:
    """The dossiers `user` holds himself ("Tôi đang xử lý")."""
    return Q(state__in=AT_A_STEP, assignee_id=user.pk)


def loads(user_ids) -> dict[int, int]:
    """How many dossiers each of these people holds now: shown beside their names."""
    rows = (
        Dossier.objects.filter(state__in=AT_A_STEP, assignee_id__in=list(user_ids))
        .values("assignee_id")
        .annotate(n=Count("pk"))
    )
    return {r["assignee_id"]: r["n"] for r in rows}


def may_do_step_work(user, step: DossierStep | None) -> bool:
    return step is not None and step.assignee_id is not None and step.assignee_id == user.pk


def refusal(step: DossierStep | None) -> str:
    """Why someone else may not do the step's work: said on screen and by the API."""
    if step is None:
        return _("Hồ sơ không ở bước xử lý nào.")
    if step.assignee_id is None:
        return _("Bước “%(s)s” chưa có người nhận xử lý: hãy nhận xử lý trước.") % {"s": step.name}
    return _("Bước “%(s)s” do %(u)s xử lý.") % {"s": step.name, "u": step.assignee}
