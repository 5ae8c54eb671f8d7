"""Every action of the lifecycle table, from every state, by an allowed and a refused person.

The cases are generated from the table itself, so a new action or state is tested the day it
is added to the table.
"""

import pytest
from django.core.exceptions import PermissionDenied

from motcua.dossiers import services
from motcua.dossiers.errors import NotAllowed
from motcua.dossiers.lifecycle import SAME, TRANSITIONS, State
from motcua.dossiers.models import DossierEvent
from motcua.org.models import Role
from tests.world import allowed_actor, bring_to, params_for, prepare_for

pytestmark = pytest.mark.django_db

ALLOWED = [(t.action, s) for t in TRANSITIONS for s in sorted(t.sources)]
REFUSED = [(t.action, s) for t in TRANSITIONS for s in State.values if s not in t.sources]


@pytest.mark.parametrize(("action", "state"), ALLOWED)
def test_allowed_transition_changes_state_and_records_event(world, action, state):
    t = next(t for t in TRANSITIONS if t.action == action)
    dossier = prepare_for(world, action, bring_to(world, state))
    events_before = dossier.events.count()
    result = services.perform(
        action,
        actor=allowed_actor(world, t, dossier),
        dossier=dossier,
        **params_for(world, action, dossier),
    )
    dossier.refresh_from_db()
    assert dossier.state == (state if t.target is SAME else t.target)
    assert dossier.events.count() == events_before + 1
    event = result.event
    assert (event.action, event.from_state, event.to_state) == (action, state, dossier.state)


@pytest.mark.parametrize(("action", "state"), REFUSED)
def test_transition_from_another_state_is_refused_and_changes_nothing(world, action, state):
    t = next(t for t in TRANSITIONS if t.action == action)
    dossier = bring_to(world, state)
    before = (dossier.state, dossier.version, DossierEvent.objects.count())
    with pytest.raises((NotAllowed, PermissionDenied)):
        services.perform(
            action,
            actor=allowed_actor(world, t),
            dossier=dossier,
            **params_for(world, action, dossier),
        )
    dossier.refresh_from_db()
    assert (dossier.state, dossier.version, DossierEvent.objects.count()) == before


@pytest.mark.parametrize("t", [t for t in TRANSITIONS if t.staff_roles], ids=lambda t: t.action)
def test_roles_not_in_the_table_are_refused(world, t):
    state = sorted(t.sources)[0]
    dossier = prepare_for(world, t.action, bring_to(world, state))
    others = [r for r in Role.values if r not in t.who]
    for role in others:
        with pytest.raises(PermissionDenied):
            services.perform(
                t.action,
                actor=world.staff[role],
                dossier=dossier,
                **params_for(world, t.action, dossier),
            )
    dossier.refresh_from_db()
    assert dossier.state == state


@pytest.mark.parametrize("t", [t for t in TRANSITIONS if t.staff_roles], ids=lambda t: t.action)
def test_officers_of_another_unit_are_refused(world, t):
    state = sorted(t.sources)[0]
    dossier = prepare_for(world, t.action, bring_to(world, state))
    with pytest.raises(PermissionDenied):
        services.perform(
            t.action, actor=world.outsider, dossier=dossier, **params_for(world, t.action, dossier)
        )


def test_applicant_actions_need_the_owner(world):
    dossier = world.draft()
    with pytest.raises(PermissionDenied):
        services.dossier_submit(actor=world.staff[Role.RECEPTION_OFFICER], dossier=dossier)
    from tests.factories import UserFactory

    with pytest.raises(PermissionDenied):
        services.dossier_submit(actor=UserFactory(is_staff=False), dossier=dossier)
    assert (
        services.dossier_submit(actor=world.citizen, dossier=dossier).dossier.state == "submitted"
    )


def test_every_action_of_the_table_declares_its_inputs():
    from motcua.dossiers.inputs import ACTION_INPUTS

    assert set(ACTION_INPUTS) == {t.action for t in TRANSITIONS}
    for t in TRANSITIONS:
        needed = {"missing_items", "reasons", "new_appointment", "assignee"} & set(t.requires)
        assert needed <= set(ACTION_INPUTS[t.action]), t.action
