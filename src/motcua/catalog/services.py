"""Writes to the catalog: importing a whole catalog file in one transaction."""

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core import pagecache
from motcua.org import permissions
from motcua.org.models import Agency

from .importing import CatalogImportError, CleanCatalog, CleanProcedure, clean_catalog
from .models import Component, Fee, Field, Procedure, ProcessDefinition, ProcessStep


@dataclass
class ImportReport:
    fields: int
    created: int
    updated: int
    new_process_versions: int


def catalog_import(
    *,
    actor,
    data: dict,
    agency_resolver=None,
    valid_from: date | None = None,
) -> ImportReport:
    """Create or update fields and procedures from `data`; all of it or nothing.

    `actor` None means the system (a management command run by the operator). Procedures are
    matched by national code; fees and components are replaced; a changed process becomes a
    new published version from `valid_from` (today by default), and the old one ends the day
    before, so dossiers already received keep theirs. `agency_resolver(CleanProcedure)` may
    supply the handling agencies when the file names none (the demo province does so).
    """
    if actor is not None:
        permissions.require(actor, permissions.MANAGE_CATALOG, permissions.PROVINCE_WIDE)
    catalog = clean_catalog(data, set(Field.objects.values_list("code", flat=True)))
    valid_from = valid_from or timezone.localdate()
    with transaction.atomic():
        # Bulk writes send no signals: the public pages are dropped here, once.
        pagecache.clear_on_commit()
        return _apply(catalog, agency_resolver, valid_from)


def _apply(catalog: CleanCatalog, agency_resolver, valid_from: date) -> ImportReport:
    for f in catalog.fields:
        Field.objects.update_or_create(
            code=f["code"], defaults={"name": f["name"], "name_en": f["name_en"]}
        )
    fields = {f.code: f for f in Field.objects.all()}
    agencies = {a.code: a for a in Agency.objects.all()}
    created = updated = versions = 0
    errors: list[str] = []
    for proc in catalog.procedures:
        missing = [c for c in proc.agency_codes if c not in agencies]
        if missing:
            errors.append(
                f"{proc.where}: " + _("không có cơ quan mã %(c)s") % {"c": ", ".join(missing)}
            )
            continue
        obj, was_created, changed = _upsert_procedure(proc, fields[proc.field_code])
        created += was_created
        updated += changed
        handling = [agencies[c] for c in proc.agency_codes]
        if not handling and agency_resolver is not None:
            handling = list(agency_resolver(proc))
        if handling or proc.agency_codes:
            obj.agencies.set(handling)
        if _children_changed(obj, proc):
            _replace_children(obj, proc)
        if proc.steps is not None and _process_changed(obj, proc):
            _new_process_version(obj, proc, valid_from)
            versions += 1
    if errors:
        raise CatalogImportError(errors)
    return ImportReport(len(catalog.fields), created, updated, versions)


def _upsert_procedure(proc: CleanProcedure, field: Field) -> tuple[Procedure, bool, bool]:
    """Create or update one procedure; an identical row is left untouched (no new timestamp)."""
    values = {**proc.values, "field": field}
    obj = Procedure.objects.filter(national_code=proc.code).first()
    if obj is None:
        return Procedure.objects.create(national_code=proc.code, **values), True, False
    if all(getattr(obj, k) == v for k, v in values.items()):
        return obj, False, False
    for key, value in values.items():
        setattr(obj, key, value)
    obj.save()
    return obj, False, True


def _fee_row(f) -> tuple:
    return (
        f["name"],
        f["kind"],
        f["formula"],
        f["amount"],
        f["unit_label"],
        f["tiers"],
        f["cap"],
        f["note"],
    )


def _component_row(c) -> tuple:
    return (c["name"], c["originals"], c["copies"], c["required"], c["form_name"], c["note"])


def _children_changed(obj: Procedure, proc: CleanProcedure) -> bool:
    fees = [_fee_row(f.__dict__) for f in obj.fees.all()]
    components = [_component_row(c.__dict__) for c in obj.components.all()]
    return fees != [_fee_row(f) for f in proc.fees] or components != [
        _component_row(c) for c in proc.components
    ]


def _replace_children(obj: Procedure, proc: CleanProcedure) -> None:
    obj.fees.all().delete()
    Fee.objects.bulk_create(Fee(procedure=obj, order=i, **f) for i, f in enumerate(proc.fees))
    old_files = {c.name: c.form_file for c in obj.components.all() if c.form_file}
    obj.components.all().delete()
    Component.objects.bulk_create(
        Component(procedure=obj, order=i, form_file=old_files.get(c["name"], ""), **c)
        for i, c in enumerate(proc.components)
    )


def _step_signature(steps) -> list[tuple]:
    return [(s["name"], s["role"], s["division_code"], s["handover"], s["budget"]) for s in steps]


def _process_changed(obj: Procedure, proc: CleanProcedure) -> bool:
    current = obj.processes.filter(published=True).order_by("-version").first()
    if current is None:
        return bool(proc.steps)
    existing = [
        {
            "name": s.name,
            "role": s.role,
            "division_code": s.division_code,
            "handover": s.handover,
            "budget": s.budget,
        }
        for s in current.steps.all()
    ]
    return _step_signature(existing) != _step_signature(proc.steps)


def _new_process_version(obj: Procedure, proc: CleanProcedure, valid_from: date) -> None:
    from datetime import timedelta

    last = obj.processes.order_by("-version").first()
    if last is not None and (last.valid_to is None or last.valid_to >= valid_from):
        if last.valid_from >= valid_from:
            # Replaced before it ever applied: withdraw it rather than give it an empty range.
            last.published = False
            last.save(update_fields=["published"])
        else:
            last.valid_to = valid_from - timedelta(days=1)
            last.save(update_fields=["valid_to"])
    process = ProcessDefinition.objects.create(
        procedure=obj,
        version=(last.version + 1) if last else 1,
        valid_from=valid_from,
        published=True,
    )
    ProcessStep.objects.bulk_create(
        ProcessStep(process=process, order=i, **s) for i, s in enumerate(proc.steps, start=1)
    )
