"""Every open dossier sits in exactly one owned queue that someone owns, after every step of
every path through the lifecycle table; a finished one in none.

Two ways over the table: each of its edges (every action from every state it may start from),
and random walks from a counter reception or an online submission to the end, each step taken
by one of the people the staff screen offers it to.
"""

import random

import pytest
from django.core.exceptions import PermissionDenied

from motcua.backoffice import queues
from motcua.dossiers import ownership, services
from motcua.dossiers.errors import InvalidInput, NotAllowed
from motcua.dossiers.lifecycle import APPLICANT, CLOSED, TRANSITIONS, State, actions_from
from motcua.dossiers.models import Dossier
from motcua.dossiers.services.core import offered
from motcua.dossiers.services.steps import next_step
from motcua.org.models import Role
from tests.factories import UserFactory
from tests.world import allowed_actor, bring_to, params_for, prepare_for

pytestmark = pytest.mark.django_db

OWNED = [q for q in queues.QUEUES if q.owned]


def _people(world):
    return [*world.staff.values(), *world.district_staff.values(), world.outsider, *world.extra]


@pytest.fixture
def world(world):
    # A second specialist at the commune: a pool of two, so that taking a step matters.
    world.extra = [
        UserFactory(roles=[(Role.SPECIALIST, world.commune_ubnd)], agency=world.commune_ubnd)
    ]
    return world


def holders(world, dossier) -> dict[int, list[str]]:
    """Who sees the dossier in which of his owned queues (those on his home page)."""
    seen = {}
    for user in _people(world):
        user = type(user).objects.get(pk=user.pk)  # fresh assignments, as a new request
        mine = [q.slug for q in queues.home_queues(user) if q.owned]
        inside = [slug for slug in mine if queues.queue(user, slug).filter(pk=dossier.pk).exists()]
        if inside:
            seen[user.pk] = inside
    return seen


def assert_one_owner(world, dossier, after: str) -> None:
    dossier = Dossier.objects.get(pk=dossier.pk)
    seen = holders(world, dossier)
    owner = ownership.owner_of(dossier)
    if dossier.state in CLOSED or dossier.state == State.DRAFT:
        assert owner is None and seen == {}, (after, dossier.state, seen)
        return
    assert owner is not None, (after, dossier.state)
    members = set(ownership.owner_members(owner).values_list("pk", flat=True))
    assert members, f"nobody owns the queue {owner} after {after}"
    # Exactly the owner's people see it, each in one queue, and it is the owner's queue.
    assert set(seen) == members, (after, dossier.state, owner, seen, members)
    assert all(queues_ == [owner.queue] for queues_ in seen.values()), (after, owner, seen)


ALLOWED = [(t.action, s) for t in TRANSITIONS for s in sorted(t.sources) if t.action != "submit"]


@pytest.mark.parametrize(("action", "state"), ALLOWED)
def test_every_edge_of_the_table_leaves_one_owner(world, action, state):
    t = next(t for t in TRANSITIONS if t.action == action)
    dossier = prepare_for(world, action, bring_to(world, state))
    assert_one_owner(world, dossier, f"reaching {state}")
    services.perform(
        action,
        actor=allowed_actor(world, t, dossier),
        dossier=dossier,
        **params_for(world, action, dossier),
    )
    assert_one_owner(world, dossier, f"{action} from {state}")


def _offers(world, dossier) -> list[tuple]:
    """Every (action, person) the screens offer now."""
    step = ownership.open_step(dossier)
    found = []
    for t in actions_from(dossier.state):
        if t.action == "forward" and next_step(dossier) is None:
            continue  # the last step: a hand-over needs another agency, chosen by hand
        people = [world.citizen] if APPLICANT in t.who else []
        people += _people(world)
        for user in people:
            user = type(user).objects.get(pk=user.pk)
            if offered(user, t, dossier, step):
                found.append((t, user))
    return found


def _params(world, rng, t, dossier, actor) -> dict:
    params = params_for(world, t.action, dossier)
    if t.action in ("forward", "assign"):
        step = ownership.open_step(dossier)
        if t.action == "forward":
            plan = next_step(dossier)
            people = ownership.pool_members(plan.agency.pk, plan.role, plan.division_code)
            people = list(people.exclude(pk=actor.pk))
            chosen = rng.choice([None, *people])
        else:
            people = list(ownership.pool_members(step.agency_id, step.role, step.division_code))
            chosen = rng.choice(people)
        params = {"assignee": chosen} if chosen is not None else {}
    return params


@pytest.mark.parametrize("seed", range(24))
def test_random_walks_keep_one_owner_at_every_step(world, seed):
    rng = random.Random(seed)
    if rng.random() < 0.5:
        dossier = world.receive()
        path = ["receive at the counter"]
    else:
        dossier = services.dossier_submit(actor=world.citizen, dossier=world.draft()).dossier
        path = ["submit online"]
    assert_one_owner(world, dossier, path[-1])
    for _ in range(16):
        dossier = Dossier.objects.get(pk=dossier.pk)
        if dossier.state in CLOSED or dossier.state == State.DRAFT:
            break
        offers = _offers(world, dossier)
        assert offers, f"nobody may act on a {dossier.state} dossier after {path}"
        # Finishing early is likely from many states: weigh the way forward.
        weights = [0.2 if t.finishes or t.target == State.NOT_RECEIVED else 1 for t, _u in offers]
        t, actor = rng.choices(offers, weights)[0]
        try:
            services.perform(
                t.action,
                actor=actor,
                dossier=dossier,
                **_params(world, rng, t, dossier, actor),
            )
        except (NotAllowed, InvalidInput, PermissionDenied) as exc:
            pytest.fail(f"offered {t.action} to {actor} but refused: {exc} (after {path})")
        path.append(f"{t.action} by {actor}")
        assert_one_owner(world, dossier, " → ".join(path))


def test_a_step_handed_to_the_division_is_taken_by_one_of_its_members(world):
    s = world.staff
    second = world.extra[0]
    dossier = services.dossier_forward(actor=s[Role.RECEPTION_OFFICER], dossier=world.receive())
    dossier = dossier.dossier
    pool = ownership.owner_of(dossier)
    assert pool.queue == ownership.POOL
    assert set(ownership.owner_members(pool)) == {s[Role.SPECIALIST], second}
    services.dossier_claim(actor=second, dossier=dossier)
    dossier.refresh_from_db()
    assert ownership.owner_of(dossier).user_id == second.pk
    # The other specialist may neither take it nor do its work now.
    with pytest.raises(NotAllowed, match=r"do .* xử lý"):
        services.dossier_claim(actor=s[Role.SPECIALIST], dossier=dossier)
    with pytest.raises(NotAllowed):
        services.dossier_request_supplement(
            actor=s[Role.SPECIALIST], dossier=dossier, missing_items=["A"]
        )
    # Someone of another role may not take it from the pool.
    with pytest.raises((NotAllowed, PermissionDenied)):
        services.dossier_claim(actor=s[Role.CLERK], dossier=dossier)


def test_forwarding_to_someone_outside_the_next_step_is_refused(world):
    s = world.staff
    dossier = world.receive()
    with pytest.raises(InvalidInput) as refused:
        services.dossier_forward(
            actor=s[Role.RECEPTION_OFFICER], dossier=dossier, assignee=s[Role.CLERK]
        )
    assert "không thuộc bộ phận" in refused.value.fields["assignee"][0]
    dossier.refresh_from_db()
    assert dossier.steps.count() == 1


def test_a_later_step_is_never_due_before_the_one_before(world):
    from tests.world import at

    s = world.staff
    # Received at 06:40, before office hours, and handed on at once: the short steps that
    # follow would count from the same morning and end before the longer one before them.
    dossier = world.receive(now=at("2026-03-02 06:40"))
    for actor in (s[Role.RECEPTION_OFFICER], s[Role.SPECIALIST]):
        dossier = services.dossier_forward(
            actor=actor, dossier=dossier, now=at("2026-03-02 06:45")
        ).dossier
    dues = list(dossier.steps.order_by("order").values_list("due_at", flat=True))
    assert dues == sorted(dues), dues
