"""Checking and storing uploaded files: type by content, size limit, no decompression bombs,
SHA-256, never overwrite."""

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


MB = 1024 * 1024
ARCHIVES = frozenset({"zip", "docx", "xlsx"})
IMAGES = ("png", "jpeg")
ZIP_MAGIC = b"PK\x03\x04"

# What a ZIP-based file may unpack to, and why. The officer's computer unpacks it (Word and
# Excel do on opening), so a file that is small here can still fill that disk or memory.
# - at most 10,000 entries: a document holds dozens, a folder of scans hundreds; millions of
#   empty entries are a bomb of their own (extraction time, directory size);
# - an entry over 5 MB may be at most 100 times smaller than what it unpacks to: text and
#   Office XML compress 5 to 50 times, a bomb a thousand times; small entries (a blank
#   sheet's XML) may compress as well as they like, they harm nobody;
# - one archive inside another, no deeper: a zip of zipped folders happens, while a zip in a
#   zip in a zip is the shape of the recursive bombs (42.zip); an inner archive is checked
#   like an upload, and counts against the same total;
# - the total of what everything unpacks to: settings.MOTCUA["MAX_UNZIPPED_MB"].
# Every entry is unpacked here once, in chunks, never kept: its checksum proves that it holds
# what the archive declares, so an entry cannot claim a small size and unpack to a huge one.
MAX_ENTRIES = 10_000
MAX_RATIO = 100
RATIO_FLOOR = 5 * MB
MAX_NESTING = 1
READ_CHUNK = MB
# Enough of an image inside an archive for its header (JPEG puts EXIF data first).
IMAGE_HEAD = 256 * 1024


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
    if kind in IMAGES:
        _check_image(name, kind, data)
    elif kind in ARCHIVES:
        _check_archive(name, data)
    return CheckedFile(
        name=name,
        kind=kind,
        content_type=KINDS[kind],
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
    )


# --- decompression bombs --------------------------------------------------------------------


def _image_classes():
    from PIL import JpegImagePlugin, PngImagePlugin  # here: only an uploaded image needs it

    return {"png": PngImagePlugin.PngImageFile, "jpeg": JpegImagePlugin.JpegImageFile}


def image_size(kind: str, data: bytes) -> tuple[int, int] | None:
    """Width and height from the image's header, never decoding its pixels; None when the
    header cannot be read. Pillow's own classes, not `Image.open`, so that its bomb limit
    (a warning, then an error at twice its size) does not stand in for ours."""
    try:
        with _image_classes()[kind](io.BytesIO(data)) as image:
            width, height = image.size
    except Exception:  # Pillow reports a damaged header with many kinds of error
        return None
    return (width, height) if width > 0 and height > 0 else None


def _grouped(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def _check_image(name: str, kind: str, data: bytes, *, inside: str = "") -> None:
    size = image_size(kind, data)
    if size is None:
        if inside:
            return  # only the first bytes of an inner image are read: nothing to judge
        raise ValidationError(_("Tệp “%(n)s” không phải ảnh hợp lệ hoặc đã hỏng.") % {"n": name})
    limit = settings.MOTCUA["MAX_IMAGE_PIXELS"]
    if size[0] * size[1] <= limit:
        return
    values = {"n": name, "e": inside, "w": size[0], "h": size[1], "m": _grouped(limit)}
    if inside:
        raise ValidationError(
            _("Tệp “%(n)s” chứa ảnh “%(e)s” quá lớn: %(w)s × %(h)s điểm ảnh (tối đa %(m)s).")
            % values
        )
    raise ValidationError(
        _("Ảnh “%(n)s” quá lớn: %(w)s × %(h)s điểm ảnh (tối đa %(m)s điểm ảnh).") % values
    )


@dataclass
class _Unpacked:
    """What the archives of one upload add up to, across nesting."""

    limit: int
    entries: int = 0
    declared: int = 0


def _check_archive(name: str, data: bytes) -> None:
    _walk(name, data, _Unpacked(limit=settings.MOTCUA["MAX_UNZIPPED_MB"] * MB), depth=0)


def _walk(name: str, data: bytes, total: _Unpacked, depth: int) -> None:
    damaged = ValidationError(_("Tệp nén “%(n)s” bị hỏng hoặc không đọc được.") % {"n": name})
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise damaged from None
    total.entries += len(infos)
    if total.entries > MAX_ENTRIES:
        raise ValidationError(
            _("Tệp “%(n)s” chứa quá %(m)s tệp con.") % {"n": name, "m": _grouped(MAX_ENTRIES)}
        )
    # Refused on what the archive declares, before unpacking a byte of it.
    total.declared += sum(i.file_size for i in infos)
    if total.declared > total.limit:
        raise ValidationError(
            _("Tệp “%(n)s” khi giải nén lớn quá %(m)s MB.")
            % {"n": name, "m": settings.MOTCUA["MAX_UNZIPPED_MB"]}
        )
    for info in infos:
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise ValidationError(
                _("Tệp “%(n)s” có mật khẩu, không kiểm tra được nội dung.") % {"n": name}
            )
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise ValidationError(
                _("Tệp “%(n)s” chứa “%(e)s” nén bất thường (gấp hơn %(r)s lần), không nhận.")
                % {"n": name, "e": info.filename, "r": MAX_RATIO}
            )
        try:
            head, whole = _unpack(archive, info)
        except (zipfile.BadZipFile, ValueError, OSError, EOFError, NotImplementedError):
            raise damaged from None  # a wrong checksum: the entry is not what it declares
        if head.startswith(ZIP_MAGIC):
            if depth >= MAX_NESTING:
                raise ValidationError(
                    _("Tệp “%(n)s” chứa tệp nén lồng nhau quá một lớp.") % {"n": name}
                )
            if whole is None:
                raise ValidationError(
                    _("Tệp “%(n)s” chứa tệp nén “%(e)s” lớn quá %(m)s MB.")
                    % {"n": name, "e": info.filename, "m": settings.MOTCUA["MAX_UPLOAD_MB"]}
                )
            _walk(name, whole, total, depth + 1)
        else:
            kind = sniff(head[:16], b"")
            if kind in IMAGES:
                _check_image(name, kind, head, inside=info.filename)


def _unpack(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[bytes, bytes | None]:
    """Unpack one entry in chunks: its first bytes, and the whole of it when it is an archive
    small enough to look inside (at most an upload's size)."""
    keep_all = info.file_size <= settings.MOTCUA["MAX_UPLOAD_MB"] * MB
    head, parts = b"", []
    with archive.open(info) as stream:
        while chunk := stream.read(READ_CHUNK):
            if len(head) < IMAGE_HEAD:
                head += chunk[: IMAGE_HEAD - len(head)]
            if keep_all and head.startswith(ZIP_MAGIC):
                parts.append(chunk)
    if not head.startswith(ZIP_MAGIC):
        return head, None
    return head, b"".join(parts) if keep_all else None


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
    if checked.kind == "pdf":
        # Every PDF that comes in has its signatures checked and the verdict kept beside it;
        # a broken or untrusted signature is shown as such, never a reason to refuse the file.
        from motcua.signing.validation import validate_pdf

        verdict = validate_pdf(checked.content)
        record.signature_status, record.signature = verdict.status, verdict.as_dict()
    record.file.save(
        checked.name.rsplit(".", 1)[0] + EXTENSIONS[checked.kind],
        ContentFile(checked.content),
        save=False,
    )
    record.save()
    return record
