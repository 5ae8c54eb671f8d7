"""Running a generation: the context, the plans in order, batches that commit with progress."""

import sys
import time
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.core.calendar import default_calendar
from motcua.org.models import User

from ..models import GeneratorRun
from . import province
from .bulk_path import BulkDriver
from .plans import Context, plan_dossier, reception_moments
from .service_path import ServiceDriver

# How often procedures are asked for, by field: civil status and certification dominate.
FIELD_WEIGHTS = {"HT": 30, "CT": 35, "DD": 8, "HKD": 6, "XD": 4, "BTXH": 5, "NCC": 2, "GD": 4}
BATCH = 2000


def build_context(run: GeneratorRun) -> Context:
    rows = []
    for p in (
        Procedure.objects.filter(is_active=True)
        .select_related("field")
        .prefetch_related("agencies")
    ):
        agencies = sorted(a.code for a in p.agencies.all())
        if agencies and p.current_process() is not None:
            rows.append((p.national_code, p.field.code, agencies, float(p.processing_days)))
    per_field: dict[str, int] = {}
    for _code, field, _agencies, _days in rows:
        per_field[field] = per_field.get(field, 0) + 1
    # A field's share is split among its procedures.
    procedures = sorted(
        (code, FIELD_WEIGHTS.get(field, 1) / per_field[field], agencies, days)
        for code, field, agencies, days in rows
    )
    citizens = sorted(
        User.objects.filter(username__startswith="congdan-").values_list("username", flat=True)
    )
    end = run.end_at
    start = end - timedelta(days=365 * run.years)
    return Context(procedures, citizens, default_calendar(), start, end)


def generate(
    *,
    dossiers: int,
    years: int,
    seed: int,
    path: str = "bulk",
    communes_per_district: int = 8,
    citizens: int = 200,
    progress=True,
) -> GeneratorRun:
    province.grow(communes_per_district, citizens)
    run, created = GeneratorRun.objects.get_or_create(
        seed=seed,
        defaults={
            "dossiers": dossiers,
            "years": years,
            "path": path,
            "end_at": timezone.localtime().replace(minute=0, second=0, microsecond=0),
        },
    )
    if not created and (run.dossiers, run.years) != (dossiers, years):
        raise ValueError(
            f"Seed {seed} already made {run.dossiers} dossiers over {run.years} years; "
            "use another seed for a different size."
        )
    if run.generated >= run.dossiers:
        return run
    ctx = build_context(run)
    moments = reception_moments(seed, dossiers, ctx)
    directory, assignments = province.directory()
    started, done = time.monotonic(), run.generated
    # One bulk driver for the whole run: its reference data, code counters and ids carry over
    # from batch to batch (nothing else writes dossiers meanwhile), instead of being read again.
    bulk = BulkDriver(directory, assignments) if path != "service" else None
    while done < dossiers:
        batch = range(done, min(done + BATCH, dossiers))
        with transaction.atomic():
            if bulk is None:
                driver = ServiceDriver(directory)
                for i in batch:
                    driver.run(plan_dossier(seed, i, ctx, moments[i]))
            else:
                for i in batch:
                    bulk.run(plan_dossier(seed, i, ctx, moments[i]))
                bulk.flush()
            done = batch.stop
            GeneratorRun.objects.filter(pk=run.pk).update(generated=done)
        if progress:
            _bar(done, dossiers, time.monotonic() - started, done - run.generated)
    run.refresh_from_db()
    if progress:
        sys.stderr.write("\n")
    return run


def _bar(done: int, total: int, elapsed: float, made: int) -> None:
    width = 30
    filled = int(width * done / total)
    rate = made / elapsed if elapsed else 0
    left = (total - done) / rate if rate else 0
    sys.stderr.write(
        f"\r[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} "
        f"{rate:,.0f} hồ sơ/s, còn ~{left / 60:,.1f} phút "
    )
    sys.stderr.flush()
