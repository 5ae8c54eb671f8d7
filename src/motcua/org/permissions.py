"""The one place that answers "may this person do this to this object?".

An action is a dotted name registered with the roles that may do it. An object tells where it
sits through `permission_scope() -> Scope` (a Unit or an Agency is its own scope). A role held
in an agency covers that agency and the agencies under it; a role held in a unit covers every
agency of that unit and of the units below it. Views, API, admin and services all call `can()`
or `require()`; nothing else decides access.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .models import Agency, Role, Unit
from .selectors import active_assignments, org_tree


@dataclass(frozen=True)
class Scope:
    """Where an object sits: an agency (which implies its unit) or only a unit."""

    unit_id: int | None = None
    agency_id: int | None = None


class _ProvinceWide:
    """The scope of things that belong to the whole province: the catalog, the calendar."""

    def __repr__(self) -> str:
        return "PROVINCE_WIDE"


PROVINCE_WIDE = _ProvinceWide()

_ACTIONS: dict[str, frozenset[str]] = {}


def register(action: str, roles: Iterable[str]) -> str:
    """Declare which roles may perform `action`; returns the action name for constants."""
    _ACTIONS[action] = frozenset(str(r) for r in roles)
    return action


def roles_for(action: str) -> frozenset[str]:
    try:
        return _ACTIONS[action]
    except KeyError:
        raise LookupError(f"Unknown permission action {action!r}") from None


# Actions of the foundation; later apps register theirs in their own permissions module.
MANAGE_ORG = register("org.manage", [Role.ADMINISTRATOR])
MANAGE_CATALOG = register("catalog.manage", [Role.ADMINISTRATOR])
MANAGE_CALENDAR = register("core.manage_calendar", [Role.ADMINISTRATOR])
VIEW_STAFF_SITE = register("org.view_staff_site", list(Role.values))


def scope_of(obj) -> Scope | None:
    if obj is None:
        return None
    if isinstance(obj, Scope):
        return obj
    if obj is PROVINCE_WIDE:
        roots = org_tree().root_unit_ids
        return Scope(unit_id=roots[0] if roots else None)
    if isinstance(obj, Agency):
        return Scope(unit_id=obj.unit_id, agency_id=obj.pk)
    if isinstance(obj, Unit):
        return Scope(unit_id=obj.pk)
    getter = getattr(obj, "permission_scope", None)
    if getter is None:
        raise TypeError(f"{type(obj).__name__} has no permission_scope()")
    return getter()


def _covers(assignment, scope: Scope) -> bool:
    tree = org_tree()
    if assignment.agency_id is not None:
        return scope.agency_id is not None and assignment.agency_id in tree.agency_ancestors(
            scope.agency_id
        )
    unit_id = scope.unit_id
    if unit_id is None and scope.agency_id is not None:
        unit_id = tree.agency_unit.get(scope.agency_id)
    return unit_id is not None and assignment.unit_id in tree.unit_ancestors(unit_id)


def can(user, action: str, obj=None) -> bool:
    """True when `user` holds a role allowed for `action` in a scope covering `obj`.

    With `obj=None` the question is whether the user may do it anywhere (to show a menu).
    """
    allowed = roles_for(action)
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    scope = scope_of(obj)
    return any(
        a.role in allowed and (scope is None or _covers(a, scope)) for a in active_assignments(user)
    )


def require(user, action: str, obj=None) -> None:
    """Raise PermissionDenied with a message the person can read."""
    if not can(user, action, obj):
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))


def reachable_agency_ids(user, action: str) -> set[int] | None:
    """Agencies where `user` may do `action` (None means everywhere: a superuser)."""
    if user.is_superuser:
        return None
    allowed = roles_for(action)
    tree = org_tree()
    result: set[int] = set()
    for a in active_assignments(user):
        if a.role not in allowed:
            continue
        if a.agency_id is not None:
            result |= tree.agency_descendants(a.agency_id)
        else:
            units = tree.unit_descendants(a.unit_id)
            result |= {ag for ag, unit in tree.agency_unit.items() if unit in units}
    return result


def reachable_unit_ids(user, action: str) -> set[int] | None:
    """Units where `user` may do `action` through a unit-scoped role or an agency's unit."""
    if user.is_superuser:
        return None
    allowed = roles_for(action)
    tree = org_tree()
    result: set[int] = set()
    for a in active_assignments(user):
        if a.role not in allowed:
            continue
        if a.unit_id is not None:
            result |= tree.unit_descendants(a.unit_id)
        else:
            result.add(tree.agency_unit[a.agency_id])
    return result
