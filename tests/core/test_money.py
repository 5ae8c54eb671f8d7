"""Amounts in Vietnamese words, as a receipt writes them."""

import pytest

from motcua.core.money import dong_in_words, number_in_words


@pytest.mark.parametrize(
    "n, words",
    [
        (0, "không"),
        (15, "mười lăm"),
        (21, "hai mươi mốt"),
        (25, "hai mươi lăm"),
        (105, "một trăm linh năm"),
        (110, "một trăm mười"),
        (215, "hai trăm mười lăm"),
        (20_000, "hai mươi nghìn"),
        (1_005_000, "một triệu không trăm linh năm nghìn"),
        (2_000_001, "hai triệu không trăm linh một"),
        (1_000_000_000, "một tỷ"),
        (3_000_005_000, "ba tỷ không trăm linh năm nghìn"),
        (1_500_000_000_000, "một nghìn năm trăm tỷ"),
        (
            999_999_999,
            "chín trăm chín mươi chín triệu chín trăm chín mươi chín nghìn "
            "chín trăm chín mươi chín",
        ),
    ],
)
def test_numbers_read_as_vietnamese_does(n, words):
    assert number_in_words(n) == words


def test_an_amount_in_dong_starts_with_a_capital():
    assert dong_in_words(200_000) == "Hai trăm nghìn đồng"
