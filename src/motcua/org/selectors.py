"""Reads about the organisation: the unit and agency trees, and who holds which role where."""

from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from motcua.core.memo import bump_generation, process_cache

from .models import Agency, RoleAssignment, Tier, Unit


@dataclass(frozen=True)
class Tree:
    """Parent links of units and agencies, kept in memory: a province has a few thousand."""

    unit_parent: dict[int, int | None]
    agency_parent: dict[int, int | None]
    agency_unit: dict[int, int]
    root_unit_ids: list[int]

    def unit_ancestors(self, unit_id: int | None) -> list[int]:
        """`unit_id` and every unit above it, nearest first."""
        chain, seen = [], set()
        while unit_id is not None and unit_id not in seen:
            chain.append(unit_id)
            seen.add(unit_id)
            unit_id = self.unit_parent.get(unit_id)
        return chain

    def agency_ancestors(self, agency_id: int | None) -> list[int]:
        chain, seen = [], set()
        while agency_id is not None and agency_id not in seen:
            chain.append(agency_id)
            seen.add(agency_id)
            agency_id = self.agency_parent.get(agency_id)
        return chain

    def unit_descendants(self, unit_id: int) -> set[int]:
        return {u for u in self.unit_parent if unit_id in self.unit_ancestors(u)}

    def agency_descendants(self, agency_id: int) -> set[int]:
        return {a for a in self.agency_parent if agency_id in self.agency_ancestors(a)}


@process_cache(ttl=600, shared="org")
def org_tree() -> Tree:
    return Tree(
        unit_parent=dict(Unit.objects.values_list("id", "parent_id")),
        agency_parent=dict(Agency.objects.values_list("id", "parent_id")),
        agency_unit=dict(Agency.objects.values_list("id", "unit_id")),
        root_unit_ids=list(
            Unit.objects.filter(parent__isnull=True, valid_to__isnull=True)
            .order_by("id")
            .values_list("id", flat=True)
        ),
    )


@process_cache(ttl=600, shared="org")
def province_name() -> str:
    today = timezone.localdate()
    province = (
        Unit.objects.filter(tier=Tier.PROVINCE, parent__isnull=True, valid_from__lte=today)
        .exclude(valid_to__lt=today)
        .order_by("id")
        .first()
    )
    return province.name if province else ""


def _clear_org_caches(**kwargs) -> None:
    org_tree.cache_clear()
    province_name.cache_clear()
    bump_generation("org")  # the other servers' copies


for _model in (Unit, Agency):
    post_save.connect(_clear_org_caches, sender=_model, dispatch_uid=f"org-tree-{_model.__name__}")
    post_delete.connect(_clear_org_caches, sender=_model, dispatch_uid=f"org-del-{_model.__name__}")


def active_assignments(user) -> list[RoleAssignment]:
    """The roles `user` holds today; memoised on the user object for the request."""
    cached = getattr(user, "_motcua_assignments", None)
    if cached is not None:
        return cached
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        assignments: list[RoleAssignment] = []
    else:
        today = timezone.localdate()
        assignments = list(
            RoleAssignment.objects.filter(user=user, valid_from__lte=today)
            .exclude(valid_to__lt=today)
            .select_related("agency", "unit", "division")
        )
    user._motcua_assignments = assignments
    return assignments


def unit_subtree(unit: Unit) -> list[Unit]:
    """The unit and all units below it, for lists filtered to a supervisor's area."""
    ids = org_tree().unit_descendants(unit.pk)
    return list(Unit.objects.filter(pk__in=ids).order_by("tier", "name"))
