"""Growing the demo province for the generator: more communes, an officer for every role at
every agency that handles dossiers, and citizen accounts for online submissions."""

from datetime import date

from django.db import transaction

from motcua.catalog.models import Procedure
from motcua.org.models import Agency, Division, Role, RoleAssignment, Tier, Unit, User

from .driver import Directory

ROLES = (Role.RECEPTION_OFFICER, Role.SPECIALIST, Role.DIVISION_HEAD, Role.AGENCY_LEADER)
DIVISIONS = (
    ("mot-cua", "Bộ phận Một cửa"),
    ("tu-phap", "Tư pháp - Hộ tịch"),
    ("dia-chinh", "Địa chính - Xây dựng"),
    ("van-phong", "Văn phòng"),
    ("lanh-dao", "Lãnh đạo"),
)


def grow(communes_per_district: int, citizens: int) -> None:
    with transaction.atomic():
        _add_communes(communes_per_district)
        _add_officers()
        for n in range(1, citizens + 1):
            user, created = User.objects.get_or_create(
                username=f"congdan-{n:04d}", defaults={"full_name": f"Công dân {n}"}
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])


def _add_communes(per_district: int) -> None:
    commune_procedures = [p for p in Procedure.objects.all() if Tier.COMMUNE in p.tiers]
    parents = Unit.objects.filter(tier=Tier.DISTRICT) or Unit.objects.filter(tier=Tier.PROVINCE)
    for parent in parents:
        district_ubnd = Agency.objects.filter(
            unit=parent, kind=Agency.Kind.PEOPLES_COMMITTEE
        ).first()
        for n in range(1, per_district + 1):
            unit, _ = Unit.objects.get_or_create(
                code=f"{parent.code}.SIM{n:02d}",
                defaults={
                    "name": f"Xã Mô Phỏng {n:02d} ({parent.name})",
                    "tier": Tier.COMMUNE,
                    "parent": parent,
                },
            )
            agency, created = Agency.objects.get_or_create(
                code=f"000.{n + 50:02d}.{parent.code[-2:]}.SIM",
                defaults={
                    "name": f"Ủy ban nhân dân {unit.name.lower()}",
                    "short_name": "UBND",
                    "kind": Agency.Kind.PEOPLES_COMMITTEE,
                    "unit": unit,
                    "parent": district_ubnd,
                },
            )
            if created:
                Division.objects.bulk_create(
                    Division(agency=agency, code=c, name=name) for c, name in DIVISIONS
                )
                for procedure in commune_procedures:
                    procedure.agencies.add(agency)


def _add_officers() -> None:
    handling = Agency.objects.filter(procedures__isnull=False).distinct()
    # People's Committees receive hand-overs (liên thông) even where they take no dossiers.
    targets = set(handling) | set(Agency.objects.filter(kind=Agency.Kind.PEOPLES_COMMITTEE))
    for agency in targets:
        for role in ROLES:
            user, created = User.objects.get_or_create(
                username=f"sim-{agency.code}-{role}",
                defaults={
                    "full_name": f"Cán bộ mô phỏng {role} {agency.short_name}",
                    "agency": agency,
                    "is_staff": True,
                },
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                RoleAssignment.objects.create(
                    user=user, role=role, agency=agency, valid_from=date(2000, 1, 1)
                )


def directory() -> tuple[Directory, dict[int, list[int]]]:
    users = list(User.objects.filter(username__startswith="sim-").select_related("agency"))
    users += list(User.objects.filter(username__startswith="congdan-"))
    # Usernames end with "-<role>"; role names have no dash.
    by_role = {}
    for u in users:
        if u.username.startswith("sim-"):
            role = next(r for r in ROLES if u.username.endswith(f"-{r}"))
            by_role[(u.agency.code, role)] = u
    assignments: dict[int, list[int]] = {}
    for user_id, agency_id in RoleAssignment.objects.filter(
        user__in=[u for u in users if u.is_staff], agency__isnull=False
    ).values_list("user_id", "agency_id"):
        assignments.setdefault(user_id, []).append(agency_id)
    return Directory(by_role, {u.username: u for u in users}), assignments
