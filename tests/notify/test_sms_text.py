import unicodedata

import pytest

from motcua.notify.sms_text import is_gsm7, segments, strip_diacritics


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", (0, "gsm7")),
        ("a" * 160, (1, "gsm7")),
        ("a" * 161, (2, "gsm7")),
        ("a" * 306, (2, "gsm7")),
        ("a" * 307, (3, "gsm7")),
        ("ồ" * 70, (1, "ucs2")),
        ("ồ" * 71, (2, "ucs2")),
        ("ồ" * 134, (2, "ucs2")),
        ("ồ" * 135, (3, "ucs2")),
    ],
)
def test_segment_boundaries(text, expected):
    assert segments(text) == expected


def test_extension_characters_count_double():
    assert segments("€" * 80) == (1, "gsm7")  # 160 septets
    assert segments("€" * 80 + "a") == (2, "gsm7")
    assert segments("{[]}" * 20) == (1, "gsm7")
    assert segments("{[]}" * 20 + "a") == (2, "gsm7")


def test_an_escape_pair_is_not_split_across_parts():
    # 306 septets would fill two parts exactly, but the € cannot start at the part's last septet.
    assert segments("a" * 152 + "€" + "a" * 152) == (3, "gsm7")


def test_ucs2_counts_utf16_code_units():
    assert segments("😀" * 35) == (1, "ucs2")  # 70 code units
    assert segments("😀" * 36) == (2, "ucs2")


def test_vietnamese_with_diacritics_is_ucs2():
    text = "Hồ sơ 000.00.01.H12-240101-0001 đã có kết quả, mời ông/bà đến nhận tại Bộ phận Một cửa."
    assert len(text) == 87  # more than 70, far less than 160
    assert not is_gsm7(text)
    assert segments(text) == (2, "ucs2")


def test_decomposed_accents_count_as_their_composed_gsm7_letters():
    assert segments(unicodedata.normalize("NFD", "é" * 160)) == (1, "gsm7")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ho so da co ket qua", True),
        ("Phí: 50.000 đ", False),
        ("Hồ sơ", False),
        ("café, è, à, Ñ, {x} €", True),
        ("\x1b", False),
        ("tab\there", False),
    ],
)
def test_is_gsm7(text, expected):
    assert is_gsm7(text) is expected


def test_strip_diacritics_gives_plain_ascii_vietnamese():
    text = "Hồ sơ đã có kết quả. ĐỀ NGHỊ ông/bà đến nhận, lệ phí 50.000 đồng"
    plain = strip_diacritics(text)
    assert plain == "Ho so da co ket qua. DE NGHI ong/ba den nhan, le phi 50.000 dong"
    assert is_gsm7(plain)
    assert segments(plain * 2) == (1, "gsm7")
    assert segments(text * 2) == (2, "ucs2")
