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
