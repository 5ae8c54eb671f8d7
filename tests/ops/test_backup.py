"""Backups that restore: a small province with dossiers, files and payments is backed up and
restored, by `manage.py restore` run as its own process, into a second, empty installation (a
new database and a new storage folder), which must then hold the same thing."""

import io
import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from motcua.dossiers.lifecycle import State
from motcua.dossiers.models import Dossier, DossierFile
from motcua.dossiers.services import online
from motcua.org.models import Role
from motcua.payments import services as payments
from tests.ops import probe
from tests.world import PDF, bring_to, pdf_upload

ROOT = Path(__file__).resolve().parents[2]
# Committed rows: pg_dump reads the test database from its own connection.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def province(world, settings, tmp_path):
    """Dossiers at several stages, made through the services, with their files in a storage
    folder of this test's own."""
    settings.MEDIA_ROOT = tmp_path / "source-media"
    officer = world.staff[Role.RECEPTION_OFFICER]
    bring_to(world, State.RETURNED)  # finished, with its result file
    paid = world.receive(files=[pdf_upload("to-khai.pdf"), pdf_upload("ban-sao.pdf", PDF + b"%2")])
    payments.payment_record_at_counter(actor=officer, dossier=paid, amount=20000, method="cash")
    partly = world.receive()
    payments.payment_record_at_counter(
        actor=officer, dossier=partly, amount=5000, method="transfer", receipt_number="BL-0012"
    )
    bring_to(world, State.AWAITING_SUPPLEMENT)
    draft = world.draft()
    online.dossier_attach_files(
        owner=world.citizen,
        dossier=draft,
        component_id=world.procedure.components.get().pk,
        uploads=[pdf_upload("nhap.pdf", PDF + b"%draft")],
    )
    return world


@pytest.fixture
def backup(province, tmp_path) -> Path:
    folder = tmp_path / "backup"
    call_command("backup", "--output", str(folder), stdout=io.StringIO())
    return folder


@dataclass
class Installation:
    """A second motcua installation: its own database and storage folder, used only through
    processes of its own, as an operator would."""

    env: dict[str, str]
    media: Path

    def run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def describe(self, now) -> dict:
        done = self.run("-m", "tests.ops.probe", now.isoformat())
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])

    def tables(self) -> list[str]:
        done = self.run(
            "manage.py",
            "shell",
            "-c",
            "import json; from django.db import connection; "
            "print(json.dumps(connection.introspection.table_names()))",
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def second(tmp_path):
    var = tmp_path / "second"
    keep_out = {"DATABASE_URL", "MEDIA_ROOT", "STATIC_ROOT", "MOTCUA_CACHE_DIR"}
    env = {k: v for k, v in os.environ.items() if k not in keep_out}
    env.update(MOTCUA_VAR_DIR=str(var), PYTHONPATH=str(ROOT))
    if connection.vendor != "postgresql":
        yield Installation(env, var / "media")  # SQLite: var/motcua.sqlite3, not yet there
        return
    import psycopg
    from psycopg import sql

    server = os.environ["DATABASE_URL"]
    name = f"motcua_restore_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    env["DATABASE_URL"] = urlunsplit(urlsplit(server)._replace(path=f"/{name}"))
    yield Installation(env, var / "media")
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def test_the_restored_installation_holds_what_the_backup_was_taken_from(backup, second):
    manifest = json.loads((backup / "manifest.json").read_text())
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["tables"]["dossiers_dossier"] == Dossier.objects.count() == 5
    # Every file a row names is in the backup (the input, result and draft files).
    named = set(DossierFile.objects.values_list("file", flat=True))
    assert len(named) == 4 and {f["path"] for f in manifest["files"]} == named
    assert manifest["missing_files"] == []

    done = second.run("manage.py", "restore", str(backup))
    assert done.returncode == 0, done.stdout + done.stderr
    for check in ("row counts match", "every file's SHA-256 matches", "audit chain intact"):
        assert check in done.stdout
    # Restoring read the backup without leaving anything beside it (no -wal or -shm files).
    assert {p.name for p in backup.iterdir()} == {
        "manifest.json",
        "files",
        manifest["database"]["file"],
    }

    now = timezone.now()
    source, restored = probe.describe(now), second.describe(now)
    assert source["tables"]["payments_payment"] == 2 and source["audit_problems"] == []
    year = source["dashboard"]["year"]["province"]
    assert (year["flows"]["received"], year["flows"]["finished"], year["in_progress"]) == (4, 1, 3)
    assert restored["tables"] == source["tables"]
    assert restored["files"] == source["files"] and len(restored["files"]) == 4
    assert restored["audit_problems"] == []
    assert restored["dashboard"] == source["dashboard"]
    audit = second.run("manage.py", "verify_audit")
    assert audit.returncode == 0, audit.stdout + audit.stderr


def _change_a_file(backup: Path) -> str:
    name = json.loads((backup / "manifest.json").read_text())["files"][0]["path"]
    path = backup / "files" / name
    path.write_bytes(path.read_bytes().replace(b"%%EOF", b"%%EOG"))
    return name


def _remove_a_file(backup: Path) -> str:
    name = json.loads((backup / "manifest.json").read_text())["files"][-1]["path"]
    (backup / "files" / name).unlink()
    return name


def _alter_the_dump(backup: Path) -> str:
    dump = next(p for p in backup.iterdir() if p.name.startswith("database."))
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0x01
    dump.write_bytes(bytes(data))
    return dump.name


def _add_a_file(backup: Path) -> str:
    (backup / "files" / "dossiers" / "them.pdf").write_bytes(PDF)
    return "dossiers/them.pdf"


@pytest.mark.parametrize("damage", [_change_a_file, _remove_a_file, _alter_the_dump, _add_a_file])
def test_a_damaged_backup_is_refused_before_anything_is_written(backup, second, damage):
    culprit = damage(backup)
    done = second.run("manage.py", "restore", str(backup))
    assert done.returncode != 0
    assert "the backup is damaged" in done.stderr and culprit in done.stderr
    assert second.tables() == []
    assert not second.media.exists() or not any(p.is_file() for p in second.media.rglob("*"))


def test_a_restore_over_other_files_of_the_same_name_is_refused(backup, second):
    name = json.loads((backup / "manifest.json").read_text())["files"][0]["path"]
    (second.media / name).parent.mkdir(parents=True)
    (second.media / name).write_bytes(PDF + b"%other")
    done = second.run("manage.py", "restore", str(backup))
    assert done.returncode != 0
    assert "the target storage holds other files" in done.stderr and name in done.stderr
    assert second.tables() == []
    assert (second.media / name).read_bytes() == PDF + b"%other"


def test_a_restore_into_an_installation_with_dossiers_is_refused_and_changes_nothing(backup):
    from django.core.files.storage import default_storage

    from motcua.ops.backup import database, storage

    before = (database.table_counts(), list(storage.walk(default_storage)))
    with pytest.raises(CommandError, match=r"5 hồ sơ.*the target is not empty"):
        call_command("restore", str(backup), stdout=io.StringIO())
    assert (database.table_counts(), list(storage.walk(default_storage))) == before


def test_a_row_naming_a_file_the_storage_lacks_is_reported(province, tmp_path):
    from django.core.files.storage import default_storage

    lost = DossierFile.objects.filter(purpose=DossierFile.Purpose.RESULT).get().file.name
    default_storage.delete(lost)
    out = io.StringIO()
    call_command("backup", "--output", str(tmp_path / "backup"), stdout=out)
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["missing_files"] == [lost]
    assert "WARNING: rows name files the storage lacks" in out.getvalue()


def test_a_backup_is_never_written_over_another(backup):
    before = (backup / "manifest.json").read_bytes()
    with pytest.raises(CommandError, match="already exists"):
        call_command("backup", "--output", str(backup), stdout=io.StringIO())
    assert (backup / "manifest.json").read_bytes() == before
    assert not backup.with_name("backup.partial").exists()
