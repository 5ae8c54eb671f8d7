"""Running a generation: the context, the plans in order, batches that commit with progress."""

import multiprocessing
import sys
import time
from datetime import timedelta
from itertools import pairwise

from django.db import connection, connections, transaction
from django.db.models import Max, Sum
from django.utils import timezone

from motcua.catalog.models import Procedure
from motcua.core.calendar import default_calendar
from motcua.org.models import User

from ..models import GeneratorChunk, GeneratorRun
from . import province
from .bulk_path import BulkDriver, Ids
from .plans import Context, plan_dossier, reception_moments
from .service_path import ServiceDriver

# How often procedures are asked for, by field: civil status and certification dominate.
FIELD_WEIGHTS = {"HT": 30, "CT": 35, "DD": 8, "HKD": 6, "XD": 4, "BTXH": 5, "NCC": 2, "GD": 4}
BATCH = 2000
# SQLite's page cache for a generating connection (KiB). Its default (2 MB) is smaller than
# one batch's changed pages: it spilled them to the WAL again and again, and a ten-million run
# slowed to half its speed as the indexes grew.
SQLITE_CACHE_KIB = 1_048_576
# The most rows one dossier can make in each table: a parallel worker's block of ids is this
# many per dossier of its share, so blocks never meet (ids are 64-bit; gaps cost nothing).
ROWS_PER_DOSSIER = {
    "dossiers.Dossier": 1,
    "dossiers.DossierStep": 40,
    "dossiers.Pause": 20,
    "dossiers.DossierEvent": 80,
    "dossiers.DossierFile": 20,
}


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
    workers: int = 1,
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
    parallel = workers > 1 and path == "bulk"
    if parallel or run.chunks.exists():
        chunks = [c for c in _chunks(run, moments, workers) if c.done < c.stop]
        shared = (seed, ctx, moments, directory, assignments)
        if parallel and len(chunks) > 1:
            _run_workers(run, chunks, shared, progress)
        else:
            for chunk in chunks:
                _make_chunk(chunk, *shared)
        GeneratorRun.objects.filter(pk=run.pk).update(generated=run.dossiers)
    else:
        _make_in_order(run, ctx, moments, directory, assignments, path, progress)
    run.refresh_from_db()
    if progress:
        sys.stderr.write("\n")
    return run


def _tune_connection() -> None:
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")


def _make_in_order(run, ctx, moments, directory, assignments, path, progress) -> None:
    _tune_connection()
    seed, dossiers = run.seed, run.dossiers
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


def _chunks(run: GeneratorRun, moments, workers: int) -> list[GeneratorChunk]:
    """The run's shares, made once (a resumed run keeps them): contiguous in plan order and cut
    at the start of a day, so a day's codes are all numbered by one worker, in order."""
    existing = list(run.chunks.all())
    if existing:
        return existing
    first, total = run.generated, run.dossiers - run.generated
    bounds = [first]
    for k in range(1, max(workers, 1)):
        i = first + total * k // workers
        day = timezone.localdate(moments[i - 1]) if i > first else None
        while i < run.dossiers and day is not None and timezone.localdate(moments[i]) == day:
            i += 1
        bounds.append(max(i, bounds[-1]))
    bounds.append(run.dossiers)
    bases = {
        model._meta.label: (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        for model in Ids.MODELS
    }
    GeneratorChunk.objects.bulk_create(
        GeneratorChunk(
            run=run,
            start=a,
            stop=b,
            done=a,
            id_base={
                label: base + (a - first) * ROWS_PER_DOSSIER[label] for label, base in bases.items()
            },
        )
        for a, b in pairwise(bounds)
        if a < b
    )
    return list(run.chunks.all())


def _make_chunk(chunk: GeneratorChunk, seed, ctx, moments, directory, assignments) -> None:
    _tune_connection()
    size = chunk.stop - chunk.start
    blocks = {
        label: (base, size * ROWS_PER_DOSSIER[label]) for label, base in chunk.id_base.items()
    }
    bulk = BulkDriver(directory, assignments, blocks)
    done = chunk.done
    while done < chunk.stop:
        batch = range(done, min(done + BATCH, chunk.stop))
        # The rows are made in memory before the transaction opens: SQLite takes one writer at
        # a time, so workers only take turns for the flush, not for the planning.
        for i in batch:
            bulk.run(plan_dossier(seed, i, ctx, moments[i]))
        with transaction.atomic():
            bulk.flush()
            done = batch.stop
            GeneratorChunk.objects.filter(pk=chunk.pk).update(done=done)


def _run_workers(run: GeneratorRun, chunks, shared, progress: bool) -> None:
    """One forked process per chunk (PostgreSQL takes their writes side by side, SQLite one
    flush at a time while the others plan); the parent
    only shows the progress. Forked children share the plans' inputs without copying them."""
    connections.close_all()  # a connection must never cross a fork
    fork = multiprocessing.get_context("fork")
    children = [fork.Process(target=_child, args=(chunk.pk, *shared)) for chunk in chunks]
    for child in children:
        child.start()
    started, before = time.monotonic(), run.generated
    try:
        while any(child.is_alive() for child in children):
            time.sleep(1)
            if progress:
                done = (
                    run.chunks.aggregate(d=Sum("done"))["d"]
                    - run.chunks.aggregate(s=Sum("start"))["s"]
                    + run.generated
                )
                _bar(done, run.dossiers, time.monotonic() - started, done - before)
    finally:
        for child in children:
            child.join()
    failed = [c.exitcode for c in children if c.exitcode != 0]
    if failed:
        raise RuntimeError(f"{len(failed)} generator worker(s) failed (exit codes {failed}).")


def _child(chunk_id: int, *shared) -> None:
    connections.close_all()
    _make_chunk(GeneratorChunk.objects.get(pk=chunk_id), *shared)
    connections.close_all()


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
