"""`bench/run.py --backend stack`: the scaled-out stack of bench/stack.py (nginx, two app
servers, PgBouncer, Redis, S3, two task workers) against one gunicorn server on PostgreSQL
alone, on the same data in the same run, one benchmark after the other; the ratio stack ÷ one
server of each, checked against issue 15's 0.85 (bench/README.md, "The stack")."""

import os
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from . import database, load, report, server
from .load import Benchmark
from .stack import Stack

TARGET = 0.85
# Issue 15's benchmarks: lookups, search, the staff queues and intake.
TARGETED = (
    "lookup page (HTML)",
    "lookup API",
    "catalog search",
    "staff queue (API list) processing+late",
    "staff queue page (HTML)",
    "counter intake (API)",
)
# Shown for reading the others: the cost of the extra hop alone (ceiling) and of a lookup
# rendered from the database through PgBouncer (first views).
MEASURED = (report.CEILING, *TARGETED, "lookup API, first views")
ONE_SERVER = "one server"
SERVERS = 2  # bench/stack.py's app servers


def setup_name(workers: int) -> str:
    return f"stack {SERVERS}x{workers}"


def setups(workers: list[int]) -> dict[str, str]:
    """Each measured set-up and what it is."""
    described = {
        ONE_SERVER: f"gunicorn -w {server.WORKERS} on PostgreSQL directly, file cache, local files"
    }
    for w in workers:
        described[setup_name(w)] = (
            f"nginx -> {SERVERS} gunicorn -w {w}, PgBouncer, Redis cache and sessions, S3 (moto), "
            "2 task workers"
        )
    return described


def checked(workers: int) -> bool:
    """The target holds for the stack with as many workers in all as the one server: on one
    machine more workers would measure more concurrency, not the stack's cost."""
    return SERVERS * workers == server.WORKERS


def _app_workers(stack: Stack) -> list[int]:
    return [pid for name in ("app_a", "app_b") for pid in server.children(stack[name].spec["pgid"])]


def _wait_workers(stack: Stack, per_server: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while len(_app_workers(stack)) < SERVERS * per_server:
        if time.monotonic() > deadline:
            raise RuntimeError(f"the app servers did not fork {per_server} workers each")
        time.sleep(0.2)


def _wait_for_tasks(database_url: str, timeout: float = 120) -> None:
    """Until the task workers have done what an earlier intake queued: both set-ups share the
    database and the stack's two workers, whose backlog would eat into the next timed run."""
    import psycopg

    deadline = time.monotonic() + timeout
    with psycopg.connect(database_url, autocommit=True) as conn:
        while time.monotonic() < deadline:
            (waiting,) = conn.execute(
                "SELECT count(*) FROM django_tasks_database_dbtaskresult "  # django_tasks_db's label
                "WHERE status IN ('READY', 'RUNNING')"
            ).fetchone()
            if not waiting:
                return
            time.sleep(0.5)
    print(f"    WARNING: {waiting} tasks still queued after {timeout}s", flush=True)


def _measure(setup: str, url: str, log: Path, pids, bench: Benchmark, duration: int, db: str):
    _wait_for_tasks(db)
    row = load.measure(url, bench, duration, log)
    if "invalid" not in row:
        load.drain(url)  # served before the other set-up's run starts
    row["worker_rss_mb_after"] = server.rss_mb(pids())
    shown = row.get("skipped") or row.get("invalid") or f"{row['ok_rps']} {row['unit']}"
    if row.get("busy_cpus_before", 0) > report.BUSY:
        shown += f" WARNING: other work kept {row['busy_cpus_before']} CPUs busy"
    print(f"    {bench.name} [{setup}]: {shown}", flush=True)
    return row


def _generate(stack: Stack, size: int, var: Path, generator: bool) -> tuple[dict, dict, float]:
    """The province into the stack's PostgreSQL, straight (as the PostgreSQL backend fills
    bench_<N>); the environment that reads it, the harness's tokens and session, the time."""
    env = {
        **server.base_env(),
        "MOTCUA_VAR_DIR": str(var),
        "DATABASE_URL": stack.spec["direct_database_url"],
    }
    seconds = database.fill(env, size, generator, "postgresql")
    # The generator wrote past the services and cleared the file cache only.
    import redis

    redis.Redis.from_url(stack.spec["base_env"]["CACHE_URL"]).flushdb()
    return env, database.prepare(env, var / "lookups.txt"), seconds


def run_size(size: int, args, workdir: Path, generator: bool, benchmarks: Callable) -> dict:
    print(f"--- stack, {size} dossiers: starting the stack", flush=True)
    workers = args.stack_workers
    stack = Stack.create(app_workers=workers[0])
    # One secret for the harness, the one server and both app servers, so that the staff
    # session it signs in is valid on each; bench.settings adds the ceiling view.
    stack.spec["base_env"].update(
        SECRET_KEY=server.RUN_SECRET, DJANGO_SETTINGS_MODULE="bench.settings"
    )
    stack.save()
    run = {"size": size, "setups": {}}
    try:
        stack.start()
        _wait_workers(stack, workers[0])
        var = workdir / f"stack-{size}"
        var.mkdir()
        print(f"    stack up ({stack.dir}); generating the province", flush=True)
        env, info, seconds = _generate(stack, size, var, generator)
        run.update(
            dossiers=info["dossiers"], generate_seconds=seconds, lookup_codes=info["lookups"]
        )
        print(f"    {info['dossiers']} dossiers ready in {seconds}s; loading", flush=True)
        # BENCH_ONLY="ceiling,lookup page (HTML)": a quick look at a few, while tuning.
        only = {n.strip() for n in os.environ.get("BENCH_ONLY", "").split(",") if n.strip()}
        benches = [
            b for b in benchmarks(var, info) if b.name in MEASURED and (not only or b.name in only)
        ]
        static = Path(stack.spec["base_env"]["STATIC_ROOT"])  # collected by the stack
        one = server.Server(server.production_env(env, static), log=workdir / f"one-{size}.log")
        db, app_log = stack.spec["direct_database_url"], stack.dir / "logs" / "app_a.log"
        first = setup_name(workers[0])
        rows = {ONE_SERVER: [], first: []}
        try:
            # One benchmark on both, one after the other: the machine's state is the same
            # for the two figures of a ratio.
            for bench in benches:
                rows[ONE_SERVER].append(
                    _measure(
                        ONE_SERVER, one.url, one.log, one.worker_pids, bench, args.duration, db
                    )
                )
                rows[first].append(
                    _measure(
                        first, stack.url, app_log, lambda: _app_workers(stack), bench,
                        args.duration, db,
                    )
                )  # fmt: skip
            run["setups"][ONE_SERVER] = {"benchmarks": rows[ONE_SERVER], "rss": one.worker_rss_mb()}
        finally:
            one.stop()
        run["setups"][first] = {
            "benchmarks": rows[first],
            "rss": server.rss_mb(_app_workers(stack)),
        }
        for w in workers[1:]:
            # Other worker counts after, against the same one-server figures.
            stack.set_app_workers(w)
            _wait_workers(stack, w)
            name = setup_name(w)
            measured = [
                _measure(
                    name, stack.url, app_log, lambda: _app_workers(stack), bench, args.duration, db
                )
                for bench in benches
            ]
            run["setups"][name] = {
                "benchmarks": measured,
                "rss": server.rss_mb(_app_workers(stack)),
            }
    finally:
        bad = any("invalid" in r for s in run["setups"].values() for r in s["benchmarks"])
        stack.stop(remove=not (args.keep or bad))
    return run


def compare(run: dict) -> None:
    """Adds to each stack row its ratio to the one server's and the verdict on the target."""
    base = {r["name"]: r for r in run["setups"].get(ONE_SERVER, {}).get("benchmarks", [])}
    for name, setup in run["setups"].items():
        if name == ONE_SERVER:
            continue
        for row in setup["benchmarks"]:
            one = base.get(row["name"], {})
            if not (report._measured(row) and report._measured(one)) or not one["ok_rps"]:
                row["stack_target"] = "INVALID" if "invalid" in row or "invalid" in one else ""
                continue
            row["x_one_server"] = round(row["ok_rps"] / one["ok_rps"], 3)
            if row["name"] in TARGETED and checked(int(name.rsplit("x", 1)[1])):
                row["stack_target"] = "ok" if row["x_one_server"] >= TARGET else f"MISS <{TARGET}x"
            else:
                row["stack_target"] = "(not a target)"


def table(runs: list[dict]) -> str:
    head = ("N", "benchmark", "set-up", "req/s", "p50 ms", "p99 ms", "x one server", "")
    rows = [head]
    for run in runs:
        names = list(run["setups"])
        count = len(run["setups"].get(names[0], {}).get("benchmarks", [])) if names else 0
        for i in range(count):
            for name in names:
                benchmarks = run["setups"][name]["benchmarks"]
                if i >= len(benchmarks):
                    continue
                r = benchmarks[i]
                label = r["name"] + (" [dossiers/s]" if r["unit"] != "req/s" else "")
                last = r.get("stack_target", "")
                if r.get("busy_cpus_before", 0) > report.BUSY:
                    last += f" (machine busy: {r['busy_cpus_before']} CPUs)"
                if "rps" not in r:
                    rows.append((str(run["size"]), label, name, "INVALID", "", "", "", last))
                    continue
                rows.append((
                    str(run["size"]), label, name, report._cell(r["ok_rps"]),
                    report._cell(r["p50_ms"], 2), report._cell(r["p99_ms"], 2),
                    report._cell(r.get("x_one_server"), 2) if name != ONE_SERVER else "1",
                    last.strip(),
                ))  # fmt: skip
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = [f"=== motcua bench: the stack against one server (target >= {TARGET}x) ==="]
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def run_backend(sizes: list[int], args, benchmarks: Callable) -> int:
    generator = not args.fallback and database.has_generator(server.base_env())
    if not generator:
        print("WARNING: no generator (or --fallback): sizes are NOT honoured.", flush=True)
    report.set_sizes(sizes)
    workdir = Path(tempfile.mkdtemp(prefix="motcua-bench-stack-"))
    runs, finished = [], False
    try:
        for size in sizes:
            runs.append(run_size(size, args, workdir, generator, benchmarks))
        finished = True
    finally:
        described = setups(args.stack_workers)
        for name in described:
            # Each set-up's own table, as the other backends print theirs (ceiling, targets).
            view = [
                {"size": r["size"], "benchmarks": r["setups"][name]["benchmarks"],
                 "worker_rss_mb": r["setups"][name]["rss"]}
                for r in runs if name in r["setups"]
            ]  # fmt: skip
            if view:
                report.analyse(view)
                print(report.table(f"stack, {name}: {described[name]}", view), flush=True)
        for run in runs:
            compare(run)
        print(table(runs), flush=True)
        meta = {
            "load": f"wrk -t{load.THREADS} -c{load.CONNECTIONS} -d{args.duration}s "
            f"(after a {load.WARMUP_SECONDS}s warm-up)",
            "setups": described,
            "target": f"stack {SERVERS}x{server.WORKERS // SERVERS} >= {TARGET}x one server "
            f"on: {', '.join(TARGETED)}",
            "data": database.GENERATOR
            if generator
            else f"FALLBACK: demo province + {database.FALLBACK_DOSSIERS} dossiers, sizes ignored",
            "sizes": sizes,
        }
        print(f"Results: {report.write('stack', runs, meta)}", flush=True)
        problems = [
            f"{run['size']} {r['name']} [{name}]: {r['invalid']}"
            for run in runs
            for name, setup in run["setups"].items()
            for r in setup["benchmarks"]
            if "invalid" in r
        ]
        for problem in problems:
            print(f"INVALID stack {problem}", flush=True)
        if args.keep or problems or not finished:
            print(f"Lookup files and the one server's logs kept in {workdir}", flush=True)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if problems or not finished else 0
