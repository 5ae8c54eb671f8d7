"""Restoring a backup into an empty installation: everything checked before anything is
written, then the database, then the files, then everything checked again."""

from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.files.storage import default_storage

from . import database, storage
from .create import size_text
from .manifest import DUMPS, FILES, BackupError, motcua_version, read, sha256_of

SHOWN = 10  # problems listed in a refusal; the count says how many there are


def _refuse(title: str, problems: list[str]) -> None:
    if problems:
        lines = "\n  ".join(problems[:SHOWN])
        more = f"\n  … {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
        raise BackupError(f"{title} ({len(problems)}):\n  {lines}{more}")


def check_backup(source: Path, manifest: dict) -> Path:
    """Refuse a damaged backup: the dump and every file must be the manifest's, byte for byte,
    and the backup must hold no file the manifest does not list. The dump's path."""
    problems = []
    db = manifest["database"]
    dump = source / DUMPS[db["vendor"]]
    if not dump.is_file():
        problems.append(f"{dump.name}: thiếu (missing)")
    elif dump.stat().st_size != db["size"] or sha256_of(dump) != db["sha256"]:
        problems.append(f"{dump.name}: khác bản kê (differs from the manifest)")
    listed = set()
    for entry in manifest["files"]:
        listed.add(entry["path"])
        path = source / FILES / entry["path"]
        if not path.is_file():
            problems.append(f"{entry['path']}: thiếu (missing)")
        elif path.stat().st_size != entry["size"] or sha256_of(path) != entry["sha256"]:
            problems.append(f"{entry['path']}: khác bản kê (differs from the manifest)")
    root = source / FILES
    for path in sorted(root.rglob("*")) if root.is_dir() else ():
        if path.is_file() and path.relative_to(root).as_posix() not in listed:
            problems.append(f"{path.relative_to(root).as_posix()}: không có trong bản kê (extra)")
    _refuse("Bản sao lưu bị hỏng, không khôi phục (the backup is damaged)", problems)
    return dump


def _check_target(manifest: dict) -> set[str]:
    """Refuse a target that is not empty; the files it already holds identical to the backup's
    (left as they are)."""
    if manifest["database"]["vendor"] != database.vendor():
        raise BackupError(
            f"Bản sao lưu của {manifest['database']['vendor']}, cài đặt này dùng "
            f"{database.vendor()} (the backup's database vendor differs)."
        )
    held = database.holdings()
    if any(held.values()):
        raise BackupError(
            f"Cài đặt đích đã có dữ liệu ({held['dossiers']} hồ sơ, {held['accounts']} tài "
            "khoản): chỉ khôi phục vào một cài đặt trống; không có gì bị thay đổi "
            "(the target is not empty; nothing was changed)."
        )
    same, conflicts = set(), []
    for entry in manifest["files"]:
        name = entry["path"]
        if default_storage.exists(name):
            if storage.stored_sha256(default_storage, name) == entry["sha256"]:
                same.add(name)
            else:
                conflicts.append(f"{name}: khác tệp trong bản sao lưu (differs)")
    _refuse(
        "Kho tệp đích đã có tệp khác cùng tên (the target storage holds other files)", conflicts
    )
    return same


def verify(manifest: dict, say: Callable[[str], object]) -> list[str]:
    """Compare the installation with the manifest and check the audit chain; the problems."""
    from motcua.dossiers.audit import verify_all

    problems = []
    counts = database.table_counts()
    for table, rows in sorted(manifest["tables"].items()):
        got = counts.get(table)
        if got != rows:
            problems.append(f"{table}: {got} dòng, bản kê {rows} (row count differs)")
    if not problems:
        rows = sum(manifest["tables"].values())
        say(f"Số dòng khớp bản kê ở {len(manifest['tables'])} bảng, {rows} dòng (row counts match)")
    bad_files = []
    for entry in manifest["files"]:
        name = entry["path"]
        if not default_storage.exists(name):
            bad_files.append(f"{name}: thiếu trong kho (missing from the storage)")
        elif storage.stored_sha256(default_storage, name) != entry["sha256"]:
            bad_files.append(f"{name}: SHA-256 khác (differs)")
    if not bad_files:
        say(f"SHA-256 khớp ở {len(manifest['files'])} tệp (every file's SHA-256 matches)")
    audit = [str(problem) for problem in verify_all()]
    if not audit:
        say("Nhật ký hồ sơ toàn vẹn (audit chain intact)")
    return problems + bad_files + audit


def backup_restore(source: Path, *, say: Callable[[str], object] = print) -> None:
    """Restore the backup in `source` into this installation, which must be empty."""
    source = Path(source)
    manifest = read(source)
    dump = check_backup(source, manifest)
    say(
        f"Bản sao lưu toàn vẹn (backup intact): {manifest['created_at']}, "
        f"{len(manifest['files'])} tệp, {size_text(sum(f['size'] for f in manifest['files']))}"
    )
    present = _check_target(manifest)
    if manifest["motcua_version"] != motcua_version():
        say(
            f"Bản sao lưu của motcua {manifest['motcua_version']}, cài đặt này "
            f"{motcua_version()}: chạy `manage.py migrate` sau khi khôi phục "
            "(run migrate after the restore)."
        )
    database.restore(dump, manifest["database"]["vendor"])
    say("Đã khôi phục cơ sở dữ liệu (database restored)")
    for entry in manifest["files"]:
        if entry["path"] not in present:
            storage.copy_in(default_storage, entry["path"], source / FILES / entry["path"])
    say(f"Đã khôi phục {len(manifest['files']) - len(present)} tệp (files restored)")
    # Cached pages and counters belong to what the installation held before.
    for alias in settings.CACHES:
        caches[alias].clear()
    _refuse(
        "Cài đặt sau khôi phục khác bản kê (the restored installation differs)",
        verify(manifest, say),
    )
