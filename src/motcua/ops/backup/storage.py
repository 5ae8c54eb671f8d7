"""The file half of a backup: every file of the default storage, walked and streamed through
Django's storage API (so an S3 bucket is backed up as the local folder is)."""

import hashlib
from collections.abc import Iterator
from pathlib import Path

from django.core.files import File
from django.core.files.storage import Storage

from .manifest import CHUNK, BackupError


def walk(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name under `folder`, depth first, in a stable order."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # a local storage whose folder was never created holds nothing
        return
    prefix = f"{folder}/" if folder else ""
    for name in sorted(files):
        yield prefix + name
    for name in sorted(folders):
        yield from walk(storage, prefix + name)


def copy_out(storage: Storage, name: str, target: Path) -> tuple[int, str]:
    """Stream one stored file to `target`; its size and SHA-256."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with storage.open(name, "rb") as source, open(target, "wb") as out:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
            out.write(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def stored_sha256(storage: Storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def copy_in(storage: Storage, name: str, source: Path) -> None:
    """Save one file from the backup under its own name (checked absent beforehand)."""
    with open(source, "rb") as fh:
        saved = storage.save(name, File(fh, name=name))
    if saved != name:
        raise BackupError(f"Kho tệp lưu {name} thành {saved} (storage renamed the file).")
