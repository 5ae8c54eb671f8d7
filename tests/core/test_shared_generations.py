"""Reference data each server keeps in memory (the organisation tree, the calendar) follows a
change made through another server from the next request on: the change replaces a generation
number in the shared cache, and a copy of an older generation is not used."""

from datetime import date

import pytest
from django.core.cache import cache

from motcua.core import calendar
from motcua.core.models import CalendarOverride
from motcua.org.models import Unit
from motcua.org.selectors import org_tree
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def _another_server_changed(name: str) -> None:
    """What another server's commit leaves in the shared cache."""
    cache.set(f"generation:{name}", (cache.get(f"generation:{name}") or 0) + 1, timeout=None)


def test_the_organisation_tree_follows_another_servers_change():
    parent, other = UnitFactory(), UnitFactory()
    child = UnitFactory(parent=parent)
    assert org_tree().unit_parent[child.pk] == parent.pk
    # Another server moves the unit: this process got no signal of it.
    Unit.objects.filter(pk=child.pk).update(parent=other)
    assert org_tree().unit_parent[child.pk] == parent.pk  # its copy, same generation
    _another_server_changed("org")
    assert org_tree().unit_parent[child.pk] == other.pk


def test_a_change_here_is_announced_to_the_others(django_capture_on_commit_callbacks):
    before = cache.get("generation:org")
    with django_capture_on_commit_callbacks(execute=True):
        UnitFactory()
    assert cache.get("generation:org") not in (None, before)


def test_the_calendar_follows_another_servers_new_day_off(django_capture_on_commit_callbacks):
    monday = date(2026, 12, 7)
    assert calendar.default_calendar().is_working_day(monday)
    # Another server records a day off; this process's copy of the overrides is older.
    CalendarOverride.objects.bulk_create(
        [CalendarOverride(date=monday, kind=CalendarOverride.Kind.DAY_OFF, name="Nghỉ bù")]
    )
    assert calendar.default_calendar().is_working_day(monday)
    _another_server_changed("calendar")
    assert not calendar.default_calendar().is_working_day(monday)
    with django_capture_on_commit_callbacks(execute=True):
        CalendarOverride.objects.filter(date=monday).delete()
    assert calendar.default_calendar().is_working_day(monday)


def test_a_request_reads_every_generation_in_one_round_trip(monkeypatch):
    """Each round trip to Redis costs about as much as a cached page: the first generation a
    request reads brings the others with it, and a bump made meanwhile is still seen."""
    from motcua.core import memo

    memo.shared_generation("calendar")  # met once: known from now on
    calls = []
    real = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys: calls.append(keys) or real(keys))
    seen = memo.GenerationsPerRequestMiddleware(
        lambda request: (memo.shared_generation("org"), memo.shared_generation("calendar"))
    )
    _another_server_changed("calendar")
    org, day_off = seen(None)
    assert len(calls) == 1 and {"generation:org", "generation:calendar"} <= set(calls[0])
    assert day_off == cache.get("generation:calendar") and org == (cache.get("generation:org") or 0)


def test_an_opt_out_stops_the_next_message_on_every_server(django_capture_on_commit_callbacks):
    """The numbers that said stop are kept per process: a new one is seen here at once and by
    the other servers from their next request on (its generation moved)."""
    from motcua.notify import services
    from motcua.notify.models import Channel, OptOut

    assert not services.opted_out(Channel.SMS, "0912 345 678")
    before = cache.get("generation:notify-optouts")
    with django_capture_on_commit_callbacks(execute=True):
        services.opt_out(Channel.SMS, "+84912345678")
    assert services.opted_out(Channel.SMS, "0912345678")
    assert cache.get("generation:notify-optouts") not in (None, before)
    # Another server's admin removes it: this copy is older until the generation moves.
    OptOut.objects.all()._raw_delete(OptOut.objects.db)
    assert services.opted_out(Channel.SMS, "0912345678")
    _another_server_changed("notify-optouts")
    assert not services.opted_out(Channel.SMS, "0912345678")
