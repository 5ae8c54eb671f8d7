"""Taking a backup: the database snapshot first, then every stored file, then the manifest."""

import shutil
from collections.abc import Callable
from pathlib import Path

from django.core.files.storage import default_storage
from django.utils import timezone

from . import database, storage
from .manifest import DUMPS, FILES, FORMAT, BackupError, motcua_version, safe_name, sha256_of, write


def size_text(n: int) -> str:
    value, unit = float(n), "B"
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            break
        value /= 1000
    return f"{n} B" if unit == "B" else f"{value:.1f} {unit}"


def backup_create(output: Path, *, say: Callable[[str], object] = print) -> dict:
    """Back the installation up into the new folder `output`; its manifest.

    The backup is written to `<output>.partial` and renamed when complete, so a folder named
    `output` is always a whole backup."""
    output = Path(output)
    if output.exists() and (not output.is_dir() or any(output.iterdir())):
        raise BackupError(f"{output} đã có: hãy sao lưu vào một thư mục mới (already exists).")
    work = output.with_name(output.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        manifest = _take(work, say)
        if output.exists():
            output.rmdir()
        work.rename(output)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    say(f"Sao lưu xong (backup complete): {output}")
    return manifest


def _take(work: Path, say) -> dict:
    started = timezone.now()
    vendor = database.vendor()
    dump = work / DUMPS[vendor]
    snapshot = database.snapshot(dump)
    rows = sum(snapshot.tables.values())
    say(
        f"Cơ sở dữ liệu ({vendor}): {len(snapshot.tables)} bảng, {rows} dòng, "
        f"{size_text(dump.stat().st_size)} (database snapshot)"
    )
    # The files are listed after the snapshot, so every file a row of the snapshot names is
    # there: a file is saved through the storage before the row naming it commits
    # (dossiers.files.store), and stored files are never overwritten (random names; a new
    # version is a new row and a new file). The one deletion is a file a citizen detaches
    # from a draft (dossier_detach_file), done after that row's removal commits: if it falls
    # between the snapshot and the listing, the draft's row names a file the backup lacks.
    # That case, and any other row naming a missing file, is listed as "missing_files".
    files = []
    for name in storage.walk(default_storage):
        size, digest = storage.copy_out(default_storage, name, work / FILES / safe_name(name))
        files.append({"path": name, "size": size, "sha256": digest})
    missing = sorted(snapshot.named_files - {f["path"] for f in files})
    total = sum(f["size"] for f in files)
    say(f"Kho tệp: {len(files)} tệp, {size_text(total)} (files)")
    if missing:
        say(
            f"CẢNH BÁO: {len(missing)} tệp được dữ liệu nhắc đến nhưng không có trong kho "
            f"(WARNING: rows name files the storage lacks), e.g. {missing[0]}"
        )
    manifest = {
        "format": FORMAT,
        "motcua_version": motcua_version(),
        "created_at": timezone.localtime(started).isoformat(),
        "finished_at": timezone.localtime().isoformat(),
        "database": {
            "vendor": vendor,
            "server_version": snapshot.server_version,
            "file": dump.name,
            "size": dump.stat().st_size,
            "sha256": sha256_of(dump),
        },
        "tables": snapshot.tables,
        "files": files,
        "files_bytes": total,
        "missing_files": missing,
    }
    write(work, manifest)
    return manifest
