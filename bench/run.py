#!/usr/bin/env python
"""`make bench`: motcua's production server under load from wrk, on SQLite and PostgreSQL, at
each size of generated data; a table on screen and JSON in bench/results/ (bench/README.md).

    .venv/bin/python bench/run.py --backend sqlite|postgresql|both|stack
                                  [--sizes "10000 1000000"] [--duration 10] [--keep] [--fallback]
                                  [--stack-workers "1 2"]
"""

import argparse
import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import database, load, on_stack, report, server
from bench.in_django import QUEUE_QUERIES
from bench.load import Benchmark

CATALOG_QUERIES = (
    "dang+ky+khai+sinh",
    "khai+sinh",
    "chung+thuc+ban+sao",
    "giay+phep+xay+dung",
    "ho+kinh+doanh",
)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--backend", choices=("sqlite", "postgresql", "both", "stack"), default="both"
    )
    parser.add_argument(
        "--sizes",
        default=os.environ.get("BENCH_SIZES") or "10000 1000000",
        help="dossiers to generate, e.g. '10000 1000000 10000000' (default: $BENCH_SIZES)",
    )
    parser.add_argument(
        "--duration",
        type=int,  # wrk takes whole seconds
        default=int(os.environ.get("BENCH_DURATION") or 10),
        help="seconds of each timed run (default: $BENCH_DURATION or 10)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases and logs")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="use the database of N dossiers as it is when it holds a finished generation "
        "(PostgreSQL: bench_<N>; SQLite: <$BENCH_WORKDIR>/sqlite-<N>/): migrate and recompute "
        "the indicators only, and keep it",
    )
    parser.add_argument(
        "--stack-workers",
        default="1 2",
        help="--backend stack: gunicorn workers per app server, one set-up each; the target is "
        f"checked on the one with {server.WORKERS} workers in all, as the single server has",
    )
    parser.add_argument(
        "--fallback",
        action="store_true",
        help=f"demo province and {database.FALLBACK_DOSSIERS} dossiers even when the generator "
        "exists: a quick check of the harness itself",
    )
    args = parser.parse_args()
    args.stack_workers = [int(w) for w in args.stack_workers.replace(",", " ").split()]
    if args.backend == "stack" and args.reuse:
        parser.error("--reuse: the stack's PostgreSQL is a throw-away server, made for each size")
    return args


def _write(path: Path, lines) -> str:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return str(path)


WARM_CODES = 1000

# A division head's pages (the largest scope of any role with queues): home with every queue's
# count, and queues with filters.
STAFF_PAGES = [
    "/can-bo/",
    "/can-bo/hang-cho/tat-ca/",
    "/can-bo/hang-cho/tat-ca/?trang_thai=returned&sap_xep=-nhan",
    "/can-bo/hang-cho/qua-han/",
    "/can-bo/hang-cho/tat-ca/?linh_vuc=HT&trang=3",
]


# The province supervisor's monitoring pages: this month, the previous year (a whole year of
# month rows), the quarter of a field, and one drill-down list.
DASHBOARD_PAGES = [
    "/can-bo/giam-sat/",
    "/can-bo/giam-sat/?ky={last_year}",
    "/can-bo/giam-sat/linh-vuc/HT/",
    "/can-bo/giam-sat/ho-so/?chi_so=overdue",
]


def benchmarks(var: Path, info: dict) -> list[Benchmark]:
    officer, supervisor = info["officer_token"], info["supervisor_token"]
    # The first thousand codes are looked up once before their run (a warm cache, as for a
    # citizen who checks again); the other nine thousand are first views, rendered anew.
    codes = (var / "lookups.txt").read_text(encoding="utf-8").splitlines()
    warm = _write(var / "lookups-warm.txt", codes[:WARM_CODES])
    cold = _write(var / "lookups-cold.txt", codes[WARM_CODES:] or codes)
    queue = [
        Benchmark(
            f"staff queue (API list) {name}",
            arg=_write(var / f"queue-{name}.txt", [f"/api/v1/dossiers/?{query}"]),
            token=supervisor,
        )
        for name, query in zip(("processing+late", "received"), QUEUE_QUERIES, strict=True)
    ]
    receipt = f"/api/v1/dossiers/{quote(info['receipt_code'], safe='')}/forms/01.pdf"
    return [
        Benchmark(report.CEILING, arg=_write(var / "ceiling.txt", ["/bench/ceiling/"])),
        Benchmark("lookup page (HTML)", "lookup-page", warm, prime=True),
        Benchmark("lookup API", "lookup-api", warm, prime=True),
        Benchmark("lookup page, first views", "lookup-page", cold),
        Benchmark("lookup API, first views", "lookup-api", cold),
        Benchmark(
            "catalog search",
            arg=_write(var / "catalog.txt", [f"/thu-tuc/?q={q}" for q in CATALOG_QUERIES]),
        ),
        *queue,
        Benchmark(
            "staff queue page (HTML)",
            arg=_write(var / "queue-pages.txt", STAFF_PAGES),
            token=info["queue_session"],
        ),
        Benchmark(
            "receipt PDF (form 01)", arg=_write(var / "receipt.txt", [receipt]), token=officer
        ),
        # Last: every request adds a dossier, which would change what the others read.
        Benchmark(
            "counter intake (API)",
            "intake",
            info["procedure"],
            token=officer,
            expect=201,
            unit="dossiers/s",
        ),
        # Last but one would change nothing; after intake it also sees today's new dossiers.
        Benchmark(
            "dashboard (province, this month)",
            arg=_write(
                var / "dashboard.txt",
                [p.format(last_year=date.today().year - 1) for p in DASHBOARD_PAGES],
            ),
            token=info["supervisor_session"],
        ),
    ]


def intake_without_notifications(production, workdir, backend, size, var, info, args) -> dict:
    """The intake benchmark again on a server that queues no messages (issue 16: turning
    notifications on must cost intake at most 5 %); the ratio is in the row."""
    env = {**production, "MOTCUA_NOTIFY_ENABLED": "false"}
    srv = server.Server(env, log=workdir / f"{backend}-{size}-gunicorn-quiet.log")
    try:
        bench = next(b for b in benchmarks(var, info) if b.name == "counter intake (API)")
        bench = dataclasses.replace(bench, name="counter intake (API), notifications off")
        row = load.measure(srv.url, bench, args.duration, srv.log)
    finally:
        srv.stop()
    print(f"    {bench.name}: {row.get('rps')} req/s", flush=True)
    return row


def run_size(
    backend: str, size: int, args: argparse.Namespace, workdir: Path, generator: bool
) -> dict:
    print(f"--- {backend}, {size} dossiers: preparing the database", flush=True)
    reused = args.reuse and database.existing(backend, size, workdir, server.base_env())
    if reused:
        env = reused
        seconds = database.refresh(env)
        print(f"    reusing bench_{size}: migrated, indicators rebuilt in {seconds}s", flush=True)
    else:
        env = database.create(backend, size, workdir, server.base_env())
        seconds = database.fill(env, size, generator, backend)
    var = Path(env["MOTCUA_VAR_DIR"])
    info = database.prepare(env, var / "lookups.txt")
    print(f"    {info['dossiers']} dossiers ready in {seconds}s; loading", flush=True)
    if backend == "postgresql":
        # Before the load: intake adds dossiers, and the plans are of the generated data.
        database.explain(env, var / "lookups.txt", report.explain_path(), f"{size} dossiers")
    static = workdir / "static"
    production = server.production_env(env, static)
    if not static.exists():
        server.collectstatic(production)
    srv = server.Server(production, log=workdir / f"{backend}-{size}-gunicorn.log")
    try:
        results = []
        for bench in benchmarks(var, info):
            row = load.measure(srv.url, bench, args.duration, srv.log)
            # Memory after each benchmark shows which one grows the workers (PDF: WeasyPrint).
            row["worker_rss_mb_after"] = srv.worker_rss_mb()
            results.append(row)
            shown = row.get("skipped") or row.get("invalid") or f"{row['rps']} req/s"
            if "count" in row.get("answer", {}):
                shown += f" ({row['answer']['count']} dossiers match)"
            if row.get("busy_cpus_before", 0) > report.BUSY:
                shown += f" WARNING: other work kept {row['busy_cpus_before']} CPUs busy"
            print(f"    {bench.name}: {shown}", flush=True)
        rss = srv.worker_rss_mb()
    finally:
        srv.stop()
    results.append(
        intake_without_notifications(production, workdir, backend, size, var, info, args)
    )
    if not args.keep and not reused and not any("invalid" in row for row in results):
        database.drop(backend, size, env)
    return {
        "size": size,
        "dossiers": info["dossiers"],
        "generate_seconds": None if reused else seconds,
        "rebuild_seconds": seconds if reused else None,
        "lookup_codes": info["lookups"],
        "worker_rss_mb": rss,
        "benchmarks": results,
    }


def run_backend(backend: str, sizes: list[int], args: argparse.Namespace) -> int:
    generator = not args.fallback and database.has_generator(server.base_env())
    if not generator:
        print(
            f"WARNING: without `manage.py {database.GENERATOR}` (missing, or --fallback) "
            f"every size gets the demo province and {database.FALLBACK_DOSSIERS} dossiers. "
            "Sizes are NOT honoured: these figures say nothing about scale.",
            flush=True,
        )
    report.set_sizes(sizes)
    if backend == "postgresql":
        report.explain_path().unlink(missing_ok=True)
    if args.reuse:
        # A fixed place, so that a later run finds the SQLite files this one keeps.
        workdir = Path(os.environ.get("BENCH_WORKDIR") or f"/tmp/motcua-bench-{backend}")
        workdir.mkdir(parents=True, exist_ok=True)
    else:
        workdir = Path(tempfile.mkdtemp(prefix=f"motcua-bench-{backend}-"))
    runs, finished = [], False
    try:
        for size in sizes:
            runs.append(run_size(backend, size, args, workdir, generator))
        finished = True
    finally:
        report.analyse(runs)
        print(report.table(backend, runs), flush=True)
        meta = {
            "load": f"wrk -t{load.THREADS} -c{load.CONNECTIONS} -d{args.duration}s "
            f"(after a {load.WARMUP_SECONDS}s warm-up), gunicorn -w {server.WORKERS}",
            "data": database.GENERATOR
            if generator
            else f"FALLBACK: demo province + {database.FALLBACK_DOSSIERS} dossiers, sizes ignored",
            "sizes": sizes,
        }
        print(f"Results: {report.write(backend, runs, meta)}", flush=True)
        problems = report.invalid(runs)
        for problem in problems:
            print(f"INVALID {backend} {problem}", flush=True)
        if args.keep or args.reuse or problems or not finished:
            print(f"Databases and server logs kept in {workdir}", flush=True)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if problems else 0


def under_postgres(args: argparse.Namespace) -> int:
    """This harness again, for PostgreSQL only, beside a throw-away server (as CI does)."""
    command = [
        "bash",
        "scripts/with-postgres",
        sys.executable,
        "bench/run.py",
        "--backend=postgresql",
        f"--sizes={args.sizes}",
        f"--duration={args.duration}",
        *(["--keep"] if args.keep else []),
        *(["--reuse"] if args.reuse else []),
        *(["--fallback"] if args.fallback else []),
    ]
    return subprocess.run(command, cwd=server.ROOT).returncode


def main() -> int:
    # A plain kill ends the harness through its finally blocks, which stop gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args = parse_args()
    sizes = sorted({int(s) for s in args.sizes.replace(",", " ").split()})
    status = 0
    if args.backend == "stack":
        return on_stack.run_backend(sizes, args, benchmarks)
    if args.backend in ("sqlite", "both"):
        status |= run_backend("sqlite", sizes, args)
    # --backend postgresql uses the server DATABASE_URL names (it creates and drops bench_<N>
    # databases there); otherwise, and always for both, a throw-away server of its own.
    given = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
    if args.backend == "postgresql" and given:
        status |= run_backend("postgresql", sizes, args)
    elif args.backend in ("postgresql", "both"):
        status |= under_postgres(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
