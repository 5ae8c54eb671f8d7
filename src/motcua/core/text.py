"""Text folding for Vietnamese search: case- and diacritic-insensitive, on any database."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower-case `text`, strip diacritics (đ → d) and collapse whitespace.

    "Đăng ký  Khai sinh" → "dang ky khai sinh". Stored beside searchable text so that
    SQLite and PostgreSQL answer the same way without database extensions.
    """
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.lower()).strip()


def tokens(text: str | None) -> list[str]:
    """The folded words of `text`, punctuation removed."""
    return [t for t in re.split(r"[^0-9a-z.]+", fold(text)) if t]
