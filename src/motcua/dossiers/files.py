"""Checking and storing uploaded files: type by content, size limit, SHA-256, never overwrite."""

import hashlib
import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _

# Kinds we accept, each recognised from the first bytes (and, for Office files, the ZIP's
# contents) rather than from the name or the browser's claim.
KINDS = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "zip": "application/zip",
}
DEFAULT_ALLOWED = frozenset(KINDS)
EXTENSIONS = {
    "pdf": ".pdf",
    "jpeg": ".jpg",
    "png": ".png",
    "docx": ".docx",
    "xlsx": ".xlsx",
    "zip": ".zip",
}


@dataclass(frozen=True)
class CheckedFile:
    name: str
    kind: str
    content_type: str
    size: int
    sha256: str
    content: bytes


def sniff(head: bytes, data: bytes) -> str | None:
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
        except (zipfile.BadZipFile, ValueError):
            return None
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        return "zip"
    return None


def check_upload(upload, allowed: frozenset[str] = DEFAULT_ALLOWED) -> CheckedFile:
    """Read `upload` (a Django UploadedFile or any file with .name and .read()) and check it.

    Raises ValidationError with a message the applicant or officer can act on.
    """
    limit = settings.MOTCUA["MAX_UPLOAD_MB"] * 1024 * 1024
    name = (getattr(upload, "name", "") or "tep").rsplit("/", 1)[-1][:255]
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError(
            _("Tệp “%(n)s” lớn quá %(m)s MB.") % {"n": name, "m": settings.MOTCUA["MAX_UPLOAD_MB"]}
        )
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            _("Tệp “%(n)s” lớn quá %(m)s MB.") % {"n": name, "m": settings.MOTCUA["MAX_UPLOAD_MB"]}
        )
    if not data:
        raise ValidationError(_("Tệp “%(n)s” rỗng.") % {"n": name})
    kind = sniff(data[:16], data)
    if kind is None or kind not in allowed:
        accepted = ", ".join(sorted(k.upper() for k in allowed))
        raise ValidationError(
            _("Tệp “%(n)s” không đúng loại được nhận (%(a)s).") % {"n": name, "a": accepted}
        )
    return CheckedFile(
        name=name,
        kind=kind,
        content_type=KINDS[kind],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
    )


def store(
    dossier, checked: CheckedFile, *, purpose: str, actor=None, component=None, supersedes=None
):
    """Save a new DossierFile through the storage API; existing files are never touched."""
    from .models import DossierFile

    record = DossierFile(
        dossier=dossier,
        component=component,
        purpose=purpose,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
        uploaded_at=timezone.now(),
        supersedes=supersedes,
    )
    record.file.save(
        checked.name.rsplit(".", 1)[0] + EXTENSIONS[checked.kind],
        ContentFile(checked.content),
        save=False,
    )
    record.save()
    return record
