"""How long an SMS is: its alphabet (GSM-7 or UCS-2) and how many segments the carrier bills.

Text is counted in NFC, the form the SMS adapters send: a decomposed "é" (e + U+0301) would
otherwise turn a GSM-7 text into UCS-2 and halve its room.
"""

import unicodedata

# GSM 03.38 default alphabet (one septet each; ESC, 0x1B, is not a character of its own).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: ESC plus the character, two septets each.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

GSM7_SINGLE, GSM7_PART = 160, 153  # septets; a part loses 7 to the concatenation header
UCS2_SINGLE, UCS2_PART = 70, 67  # UTF-16 code units


def is_gsm7(text: str) -> bool:
    """Whether the text fits the GSM-7 alphabet (basic set and extension table)."""
    text = unicodedata.normalize("NFC", text)
    return all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text)


def _units(text: str, gsm7: bool) -> list[int]:
    """The width of each character: septets for GSM-7, UTF-16 code units for UCS-2."""
    if gsm7:
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def segments(text: str) -> tuple[int, str]:
    """(number of segments, "gsm7" or "ucs2"). An empty text is (0, "gsm7"): nothing to send.

    Phones do not split an escape pair or a surrogate pair across parts, so a character that
    does not fit whole starts the next part.
    """
    text = unicodedata.normalize("NFC", text)
    gsm7 = is_gsm7(text)
    encoding = "gsm7" if gsm7 else "ucs2"
    units = _units(text, gsm7)
    single, part = (GSM7_SINGLE, GSM7_PART) if gsm7 else (UCS2_SINGLE, UCS2_PART)
    total = sum(units)
    if total == 0:
        return 0, encoding
    if total <= single:
        return 1, encoding
    count, used = 1, 0
    for width in units:
        if used + width > part:
            count, used = count + 1, 0
        used += width
    return count, encoding


def strip_diacritics(text: str) -> str:
    """Vietnamese without marks ("Hồ sơ đã có kết quả" → "Ho so da co ket qua"): carriers
    often register brandname templates so, and GSM-7 fits 160 characters a segment, not 70."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    )
