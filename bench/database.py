"""The database of one benchmark run: created empty (a SQLite file, or a PostgreSQL database
bench_<size> on the server DATABASE_URL names), migrated and filled with generated dossiers."""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from .server import ROOT

GENERATOR = "generate_province"
YEARS = 3
SEED = 1
FALLBACK_DOSSIERS = 300
LOOKUP_CODES = 10_000  # distinct codes the lookup benchmarks rotate through


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout[-2000:]}{done.stderr[-4000:]}")
    return done.stdout


def _in_django(env: dict[str, str], *args: str) -> dict:
    return json.loads(_run(env, "bench/in_django.py", *args).strip().splitlines()[-1])


def has_generator(env: dict[str, str]) -> bool:
    """Whether the province generator has landed (until then the harness falls back)."""
    done = subprocess.run(
        [sys.executable, "manage.py", "help", GENERATOR], cwd=ROOT, env=env, capture_output=True
    )
    return done.returncode == 0


def create(backend: str, size: int, workdir: Path, base: dict[str, str]) -> dict[str, str]:
    """A new empty database for `size` dossiers; the environment that selects it."""
    var = workdir / f"{backend}-{size}"
    var.mkdir(parents=True, exist_ok=True)
    env = {**base, "MOTCUA_VAR_DIR": str(var)}
    if backend == "postgresql":
        import psycopg
        from psycopg import sql

        server = os.environ["DATABASE_URL"]
        name = sql.Identifier(f"bench_{size}")
        # CREATE DATABASE cannot run inside a transaction.
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
        env["DATABASE_URL"] = urlunsplit(urlsplit(server)._replace(path=f"/bench_{size}"))
    return env


def existing(backend: str, size: int, workdir: Path, base: dict[str, str]) -> dict | None:
    """The environment of an existing bench_<size> PostgreSQL database that holds a finished
    generation of `size` dossiers, else None."""
    if backend == "sqlite":
        return _existing_sqlite(size, workdir, base)
    import psycopg

    server = os.environ["DATABASE_URL"]
    url = urlunsplit(urlsplit(server)._replace(path=f"/bench_{size}"))
    try:
        with psycopg.connect(url) as conn:
            row = conn.execute(
                "SELECT dossiers, generated FROM demo_generatorrun ORDER BY id DESC LIMIT 1"
            ).fetchone()
    except psycopg.Error:
        return None
    if not row or row[0] != size or row[1] < size:
        return None
    var = workdir / f"{backend}-{size}"
    var.mkdir(parents=True, exist_ok=True)
    return {**base, "MOTCUA_VAR_DIR": str(var), "DATABASE_URL": url}


def _existing_sqlite(size: int, workdir: Path, base: dict[str, str]) -> dict | None:
    import sqlite3

    var = workdir / f"sqlite-{size}"
    path = var / "motcua.sqlite3"
    if not path.exists():
        return None
    try:
        with sqlite3.connect(path) as conn:
            row = conn.execute(
                "SELECT dossiers, generated FROM demo_generatorrun ORDER BY id DESC LIMIT 1"
            ).fetchone()
    except sqlite3.Error:
        return None
    if not row or row[0] != size or row[1] < size:
        return None
    return {**base, "MOTCUA_VAR_DIR": str(var)}


def refresh(env: dict[str, str]) -> float:
    """Bring a kept database up to the code: migrate, recompute the indicators' counters."""
    started = time.monotonic()
    _run(env, "manage.py", "migrate", "--noinput")
    # The planner's statistics again only when the counters were rebuilt or none exist: ANALYZE
    # of ten million SQLite dossiers reads every index, for minutes, to learn nothing new.
    _run(env, "manage.py", "shell", "-c", _REFRESH)
    return round(time.monotonic() - started, 1)


_REFRESH = """
from django.core.management import call_command
from django.db import connection
from motcua.monitoring.models import Tally
rebuilt = not Tally.objects.exists()
if rebuilt:
    call_command("rebuild_indicators", verbosity=0)
with connection.cursor() as c:
    if connection.vendor == "sqlite":
        c.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
        known = c.fetchone()[0] and c.execute("SELECT count(*) FROM sqlite_stat1").fetchone()[0]
    else:
        c.execute("SELECT count(*) FROM pg_stats WHERE tablename = 'dossiers_dossier'")
        known = c.fetchone()[0]
    if rebuilt or not known:
        if connection.vendor == "sqlite":
            c.execute("PRAGMA analysis_limit = 1000")
        c.execute("ANALYZE")
"""


def drop(backend: str, size: int, env: dict[str, str]) -> None:
    """Free the disk a size took (ten million dossiers take gigabytes) before the next one."""
    if backend == "postgresql":
        import psycopg
        from psycopg import sql

        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as conn:
            name = sql.Identifier(f"bench_{size}")
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
    shutil.rmtree(env["MOTCUA_VAR_DIR"], ignore_errors=True)


def fill(env: dict[str, str], size: int, generator: bool, backend: str = "sqlite") -> float:
    """Migrate and generate the data; the seconds it took."""
    started = time.monotonic()
    _run(env, "manage.py", "migrate", "--noinput")
    if generator:
        _run(
            env,
            "manage.py",
            GENERATOR,
            f"--dossiers={size}",
            f"--years={YEARS}",
            f"--seed={SEED}",
            # Two processes plan side by side; SQLite takes their flushes one at a time.
            "--workers=2",
        )
    else:
        _run(env, "manage.py", "load_demo_province")
        _in_django(env, "fallback", f"--count={FALLBACK_DOSSIERS}", f"--seed={SEED}")
    return round(time.monotonic() - started, 1)


def prepare(env: dict[str, str], lookups: Path) -> dict:
    """Tokens, the intake procedure, the receipt's dossier; writes the lookup file."""
    return _in_django(
        env, "prepare", f"--lookups={lookups}", f"--limit={LOOKUP_CODES}", f"--seed={SEED}"
    )


def explain(env: dict[str, str], lookups: Path, out: Path, label: str) -> None:
    _in_django(env, "explain", f"--lookups={lookups}", f"--out={out}", f"--label={label}")
