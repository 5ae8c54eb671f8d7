"""Sending a stored or generated file to a browser: every view that does uses `file_response`
or `bytes_response`, so none can forget the headers that keep an uploaded file from acting
as a page of our site.

An uploaded file is content a stranger chose: shown inline, an HTML or SVG file would run its
scripts with the site's cookies. Only PDF, JPEG and PNG open in the browser, and under a CSP
that allows no script, no form and no connection (Chromium's PDF viewer works under it). The
CSP has no `sandbox` directive: for those three types it would forbid nothing more, and
browsers' built-in PDF viewers have not always shown a sandboxed document.
"""

import unicodedata
from urllib.parse import quote

from django.http import FileResponse, HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
INLINE_TYPES = frozenset({"application/pdf", "image/jpeg", "image/png"})
SANDBOX_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'"
# RFC 5987 attr-char: what may stand unescaped in `filename*`.
_ATTR_CHARS = "!#$&+-.^_`|~"


def ascii_name(name: str, default: str = "tep") -> str:
    """ "Tờ khai đăng ký.pdf" -> "To khai dang ky.pdf": for browsers that ignore `filename*`.
    Quotes, backslashes, separators and controls become "_" so the header stays one value."""
    text = name.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = "".join(c if c.isprintable() and c not in '"\\/;' else "_" for c in text).strip()
    return text or default


def content_disposition(name: str, *, inline: bool) -> str:
    """`inline|attachment; filename="ascii"; filename*=UTF-8''percent-encoded` (RFC 6266)."""
    name = name.rsplit("/", 1)[-1] or "tep"
    value = f'{"inline" if inline else "attachment"}; filename="{ascii_name(name)}"'
    if not name.isascii() or ascii_name(name) != name:
        value += f"; filename*=UTF-8''{quote(name, safe=_ATTR_CHARS)}"
    return value


def protect(response, *, filename: str, content_type: str, inline: bool | None = None):
    """Put the download headers on `response`. `inline` may only narrow what the type allows:
    a type outside INLINE_TYPES is always an attachment."""
    may_inline = content_type in INLINE_TYPES
    response["Content-Disposition"] = content_disposition(
        filename, inline=may_inline if inline is None else (inline and may_inline)
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["Cache-Control"] = "private, no-store"
    return response


def file_response(
    stored, *, filename: str, content_type: str, inline: bool | None = None
) -> FileResponse:
    """A stored file (a FieldFile, or any file opened for reading), streamed."""
    handle = stored.open("rb") if hasattr(stored, "storage") else stored
    response = FileResponse(handle, content_type=content_type)
    return protect(response, filename=filename, content_type=content_type, inline=inline)


def bytes_response(
    data: bytes, *, filename: str, content_type: str, inline: bool | None = None
) -> HttpResponse:
    """A file made for this request (a receipt, a form, a report)."""
    response = HttpResponse(data, content_type=content_type)
    return protect(response, filename=filename, content_type=content_type, inline=inline)
