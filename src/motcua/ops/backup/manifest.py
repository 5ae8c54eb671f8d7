"""The backup folder's layout and its manifest.json: what a backup holds, with the counts and
hashes a restore checks before it writes anything and again after."""

import hashlib
import json
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path, PurePosixPath

FORMAT = 1
MANIFEST = "manifest.json"
FILES = "files"
DUMPS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1 << 20  # files are streamed a mebibyte at a time, never read whole


class BackupError(Exception):
    """A backup cannot be taken, or a backup cannot or must not be restored."""


def motcua_version() -> str:
    try:
        return version("motcua")
    except PackageNotFoundError:
        return "unknown"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def safe_name(name: object) -> str:
    """A storage name from the manifest, refused if it could leave the backup or the storage."""
    if not isinstance(name, str) or not name or "\\" in name or "\x00" in name:
        raise BackupError(f"Tên tệp không hợp lệ trong bản kê (bad file name): {name!r}")
    path = PurePosixPath(name)
    if path.is_absolute() or any(part in ("", ".", "..") for part in name.split("/")):
        raise BackupError(f"Tên tệp không hợp lệ trong bản kê (bad file name): {name!r}")
    return name


def write(folder: Path, manifest: dict) -> None:
    text = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True)
    (folder / MANIFEST).write_text(text + "\n", encoding="utf-8")


def read(folder: Path) -> dict:
    """The manifest of the backup in `folder`, checked for shape (not yet against the files)."""
    path = folder / MANIFEST
    if not path.is_file():
        raise BackupError(f"Không thấy {MANIFEST} trong {folder} (not a motcua backup).")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BackupError(f"{MANIFEST} hỏng (unreadable manifest): {exc}") from None
    try:
        shape_ok = (
            manifest["format"] == FORMAT
            and isinstance(manifest["created_at"], str)
            and isinstance(manifest["motcua_version"], str)
            and manifest["database"]["vendor"] in DUMPS
            and isinstance(manifest["database"]["sha256"], str)
            and isinstance(manifest["database"]["size"], int)
            and all(isinstance(n, int) for n in manifest["tables"].values())
            and all(
                isinstance(f["size"], int) and isinstance(f["sha256"], str)
                for f in manifest["files"]
            )
        )
    except (KeyError, TypeError, AttributeError):
        shape_ok = False
    if not shape_ok:
        raise BackupError(f"{MANIFEST} không đúng định dạng {FORMAT} (unknown manifest format).")
    for entry in manifest["files"]:
        safe_name(entry["path"])
    return manifest
