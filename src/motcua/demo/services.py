"""Loading the demo province: units, agencies, staff and the catalog; safe to run again.

Running it twice changes nothing: rows are matched by their codes, passwords are set only
when an account is first created, and the catalog import leaves unchanged processes alone.
"""

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction

from motcua.catalog.importing import CleanProcedure
from motcua.catalog.models import LifeEvent, Procedure
from motcua.catalog.services import catalog_import
from motcua.notify.defaults import ensure_starting_templates
from motcua.org.models import Agency, Division, RoleAssignment, Tier, Unit, User

DATA = Path(__file__).resolve().parent / "data"
CATALOG_FILE = Path(__file__).resolve().parent.parent / "catalog" / "data" / "demo_catalog.json"
LIFE_EVENTS_FILE = CATALOG_FILE.with_name("life_events.json")
VARIANTS = {"three_tier": "long_an_3_tier.json", "two_tier": "tay_ninh_2_tier.json"}
DEMO_PASSWORD = "motcua-demo"  # listed in the README; demo data only
# The demo catalog's processes apply from the start of two-tier local government.
PROCESS_VALID_FROM = date(2025, 7, 1)


@dataclass
class DemoReport:
    units: int
    agencies: int
    staff_created: int
    procedures_created: int
    procedures_updated: int


def demo_province_load(*, variant: str = "three_tier", password: str = DEMO_PASSWORD) -> DemoReport:
    spec = json.loads((DATA / VARIANTS[variant]).read_text(encoding="utf-8"))
    catalog = json.loads(CATALOG_FILE.read_text(encoding="utf-8"))
    with transaction.atomic():
        units = _load_units(spec["units"])
        agencies = _load_agencies(spec["agencies"], units)
        created = _load_staff(spec["staff"], agencies, units, password)
        report = catalog_import(
            actor=None,
            data=catalog,
            agency_resolver=_resolver(spec["agencies"], agencies, units),
            valid_from=PROCESS_VALID_FROM,
        )
        _load_life_events(json.loads(LIFE_EVENTS_FILE.read_text(encoding="utf-8")))
        ensure_starting_templates()
    return DemoReport(len(units), len(agencies), created, report.created, report.updated)


def _load_life_events(data: dict) -> None:
    for order, row in enumerate(data["life_events"]):
        event, _ = LifeEvent.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "name_en": row.get("name_en", ""),
                "description": row.get("description", ""),
                "description_en": row.get("description_en", ""),
                "order": order,
            },
        )
        event.procedures.set(Procedure.objects.filter(national_code__in=row["procedures"]))


def _load_units(rows: list[dict]) -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for row in rows:
        units[row["code"]], _ = Unit.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "tier": row["tier"],
                "parent": units.get(row.get("parent")),
                "valid_from": date.fromisoformat(row.get("valid_from", "2000-01-01")),
            },
        )
    return units


def _load_agencies(rows: list[dict], units: dict[str, Unit]) -> dict[str, Agency]:
    agencies: dict[str, Agency] = {}
    for row in rows:
        agency, _ = Agency.objects.update_or_create(
            code=row["code"],
            defaults={
                "name": row["name"],
                "short_name": row.get("short_name", ""),
                "kind": row["kind"],
                "unit": units[row["unit"]],
                "parent": agencies.get(row.get("parent")),
                "address": row.get("address", ""),
                "phone": row.get("phone", ""),
            },
        )
        for division in row.get("divisions", []):
            Division.objects.update_or_create(
                agency=agency, code=division["code"], defaults={"name": division["name"]}
            )
        agencies[row["code"]] = agency
    return agencies


def _load_staff(rows, agencies, units, password: str) -> int:
    created = 0
    for row in rows:
        agency = agencies[row["agency"]]
        division = (
            Division.objects.get(agency=agency, code=row["division"])
            if row.get("division")
            else None
        )
        user, was_created = User.objects.get_or_create(
            username=row["username"],
            defaults={
                "full_name": row["full_name"],
                "job_title": row["job_title"],
                "agency": agency,
                "division": division,
                "is_staff": True,
            },
        )
        if was_created:
            user.set_password(password)
            user.save(update_fields=["password"])
            created += 1
        for role in row["roles"]:
            scope_agency = agencies.get(role.get("agency"))
            RoleAssignment.objects.get_or_create(
                user=user,
                role=role["role"],
                agency=scope_agency,
                unit=units.get(role.get("unit")),
                division=Division.objects.get(agency=scope_agency, code=role["division"])
                if role.get("division")
                else None,
                defaults={"valid_from": date(2025, 1, 1)},
            )
    return created


def _resolver(rows, agencies: dict[str, Agency], units: dict[str, Unit]):
    """Who handles a procedure in the demo: every UBND of its tiers, or the department."""
    by_tier: dict[str, list[Agency]] = {t: [] for t in Tier.values}
    departments: dict[str, Agency] = {}
    province = None
    for row in rows:
        agency = agencies[row["code"]]
        if row["kind"] == "ubnd":
            by_tier[agency.unit.tier].append(agency)
            if agency.unit.tier == Tier.PROVINCE:
                province = agency
        if row["kind"] == "department":
            for code in row.get("serves", [row.get("short_name")]):
                departments[code] = agency
    two_tier = not by_tier[Tier.DISTRICT]

    def resolve(proc: CleanProcedure) -> list[Agency]:
        handling: list[Agency] = []
        for tier in proc.values["tiers"]:
            if tier == Tier.PROVINCE:
                dept = departments.get(proc.department or "")
                handling.append(dept or province)
            elif tier == Tier.DISTRICT and two_tier:
                # Since 1 July 2025 the communes took over most district procedures.
                handling.extend(by_tier[Tier.COMMUNE])
            else:
                handling.extend(by_tier[tier])
        return list(dict.fromkeys(a for a in handling if a is not None))

    return resolve
