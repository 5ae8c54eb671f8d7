"""Diacritic- and case-insensitive catalog search, ranked sensibly, on SQLite and PostgreSQL."""

import json
from pathlib import Path

import pytest

from motcua.catalog.selectors import procedure_list
from motcua.catalog.services import catalog_import
from motcua.core.text import fold, tokens

pytestmark = pytest.mark.django_db
SMALL = Path(__file__).resolve().parent.parent / "fixtures" / "small_catalog.json"


@pytest.fixture
def catalog():
    catalog_import(actor=None, data=json.loads(SMALL.read_text(encoding="utf-8")))


def names(**filters) -> list[str]:
    return [p.name for p in procedure_list(**filters)]


def test_fold_strips_marks_and_d_bar():
    assert fold("  Đăng ký   KHAI SINH ") == "dang ky khai sinh"
    assert fold("Chứng thực bản sao") == "chung thuc ban sao"
    assert tokens("khai-sinh, (trích lục)") == ["khai", "sinh", "trich", "luc"]


@pytest.mark.parametrize(
    "query", ["dang ky khai sinh", "khai sinh", "Khai Sinh", "ĐĂNG KÝ KHAI SINH"]
)
def test_birth_registration_comes_first(catalog, query):
    assert names(query=query)[0] == "Thủ tục đăng ký khai sinh"


def test_words_in_any_order_and_codes_are_found(catalog):
    assert names(query="sinh khai")[0] == "Thủ tục đăng ký khai sinh"
    assert names(query="2.000815") == ["Thủ tục chứng thực bản sao từ bản chính giấy tờ, văn bản"]
    assert names(query="birth registration") == ["Thủ tục đăng ký khai sinh"]


def test_nothing_found_and_harmless_input(catalog):
    assert names(query="xyz không có") == []
    assert len(names(query="%_' OR 1=1 --")) == 0
    assert len(names(query="   ")) == 4


def test_filters_combine_with_search(catalog):
    assert names(field="CT") == ["Thủ tục chứng thực bản sao từ bản chính giấy tờ, văn bản"]
    assert names(tier="district") == ["Thủ tục chứng thực bản sao từ bản chính giấy tờ, văn bản"]
    assert set(names(online_level="full")) == {
        "Thủ tục đăng ký khai sinh",
        "Thủ tục trích lục khai sinh",
    }
    assert (
        names(query="khai sinh", online_level="full", field="HT")[0] == "Thủ tục đăng ký khai sinh"
    )
