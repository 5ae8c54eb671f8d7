"""The database half of a backup: one consistent snapshot (SQLite's online backup API, or
pg_dump of an exported PostgreSQL snapshot), the row counts of that same snapshot, and its
restore into an empty installation."""

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from glob import glob
from pathlib import Path

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import connection, models, transaction
from django.db.backends.postgresql.client import DatabaseClient

from .manifest import BackupError


@dataclass
class Snapshot:
    tables: dict[str, int]  # every table of the database: its rows at the snapshot
    named_files: set[str]  # the storage names that FileField columns hold at the snapshot
    server_version: str


def vendor() -> str:
    if connection.vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Không hỗ trợ cơ sở dữ liệu {connection.vendor} (unsupported).")
    return connection.vendor


def _tables(cursor) -> list[str]:
    if connection.vendor == "sqlite":
        # sqlite_sequence and ANALYZE's sqlite_stat* belong to SQLite, not to motcua.
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'"
        )
        return sorted(row[0] for row in cursor.fetchall())
    return sorted(connection.introspection.table_names(cursor))


def _counts(cursor) -> dict[str, int]:
    counts = {}
    for table in _tables(cursor):
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _named_files(cursor, tables) -> set[str]:
    names: set[str] = set()
    for model in apps.get_models():
        if model._meta.db_table not in tables:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                table = connection.ops.quote_name(model._meta.db_table)
                column = connection.ops.quote_name(field.column)
                cursor.execute(f"SELECT {column} FROM {table} WHERE {column} <> ''")
                while rows := cursor.fetchmany(10_000):
                    names.update(row[0] for row in rows)
    return names


def table_counts() -> dict[str, int]:
    """Rows of every table of the installation's database now."""
    with connection.cursor() as cursor:
        return _counts(cursor)


def holdings() -> dict[str, int]:
    """Dossiers and accounts in the installation's database: an empty installation has none
    (migrations install calendars and scales, never a dossier or an account)."""
    from motcua.dossiers.models import Dossier

    present = set(connection.introspection.table_names())
    return {
        label: model.objects.count() if model._meta.db_table in present else 0
        for label, model in (("dossiers", Dossier), ("accounts", get_user_model()))
    }


def snapshot(target: Path) -> Snapshot:
    """Write the database as it is at one instant to `target`, while the site keeps running."""
    if vendor() == "sqlite":
        return _snapshot_sqlite(target)
    return _snapshot_postgresql(target)


def _snapshot_sqlite(target: Path) -> Snapshot:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        # One step (pages=-1) under one read transaction: the copy is the database at one
        # instant; writers go on appending to the WAL meanwhile.
        connection.connection.backup(copy, pages=-1)
        # The copy stands alone: one file, no -wal or -shm beside it, readable read-only.
        copy.execute("PRAGMA journal_mode=DELETE")
        cursor = copy.cursor()
        counts = _counts(cursor)
        named = _named_files(cursor, counts)
        version = sqlite3.sqlite_version
    finally:
        copy.close()
    return Snapshot(counts, named, version)


def _snapshot_postgresql(target: Path) -> Snapshot:
    if connection.in_atomic_block:
        raise BackupError("Không sao lưu được trong một giao dịch đang mở (inside a transaction).")
    with transaction.atomic(), connection.cursor() as cursor:
        # pg_dump reads the very snapshot this transaction sees, so the counts taken here are
        # the dump's counts, whatever the site writes meanwhile.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot_id, version = cursor.fetchone()
        counts = _counts(cursor)
        named = _named_files(cursor, counts)
        _run_pg("pg_dump", "--format=custom", f"--snapshot={snapshot_id}", f"--file={target}")
    return Snapshot(counts, named, version)


def restore(dump: Path, dump_vendor: str) -> None:
    """Put the dump in place of the installation's (empty) database."""
    if dump_vendor != vendor():
        raise BackupError(
            f"Bản sao lưu của {dump_vendor} không khôi phục được vào {connection.vendor} "
            "(the backup's database vendor differs)."
        )
    if dump_vendor == "sqlite":
        _restore_sqlite(dump)
    else:
        connection.close()
        # One transaction: a dump that fails half-way leaves the database as it was.
        _run_pg(
            "pg_restore",
            "--no-owner",
            "--no-privileges",
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        )


def in_memory() -> bool:
    name = str(connection.settings_dict["NAME"])
    return connection.vendor == "sqlite" and (name == ":memory:" or "mode=memory" in name)


def _restore_sqlite(dump: Path) -> None:
    if in_memory():
        raise BackupError("Không khôi phục vào cơ sở dữ liệu trong bộ nhớ (in-memory database).")
    connection.close()
    source = sqlite3.connect(f"{dump.resolve().as_uri()}?mode=ro", uri=True)
    target = sqlite3.connect(connection.settings_dict["NAME"])
    try:
        # The backup API writes the pages into the target under its lock, so its WAL and
        # shared-memory files stay coherent (copying the file over them would not). A WAL
        # target refuses a page size change: leave WAL first; the next connection sets it again.
        target.execute("PRAGMA journal_mode=DELETE")
        source.backup(target, pages=-1)
    finally:
        target.close()
        source.close()


def pg_binary(name: str) -> str:
    """pg_dump or pg_restore from PATH, else the newest /usr/lib/postgresql/*/bin (Debian), as
    scripts/with-postgres finds PostgreSQL."""
    found = shutil.which(name)
    if found:
        return found

    def major(path: str) -> int:
        part = Path(path).parts[-3]
        return int(part) if part.isdigit() else 0

    candidates = sorted(glob(f"/usr/lib/postgresql/*/bin/{name}"), key=major)
    if not candidates:
        raise BackupError(f"Không thấy {name} (install the PostgreSQL client).")
    return candidates[-1]


def _pg_env() -> dict[str, str]:
    """The connection through libpq's variables: the password never on a command line."""
    settings = connection.settings_dict
    _, env = DatabaseClient.settings_to_cmd_args_env(settings, [])
    env = {**os.environ, **(env or {})}
    for key, variable in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if settings.get(key):
            env[variable] = str(settings[key])
    env["PGDATABASE"] = str(settings["NAME"])
    return env


def _run_pg(program: str, *args: str) -> None:
    done = subprocess.run(
        [pg_binary(program), "--no-password", *args],
        env=_pg_env(),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise BackupError(f"{program} thất bại (failed): {done.stderr.strip()[-2000:]}")
