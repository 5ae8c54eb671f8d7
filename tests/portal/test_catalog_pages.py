"""The public catalog pages as a citizen gets them: list, search, filters, detail, print-out."""

import json
from pathlib import Path

import pytest
from django.urls import reverse

from motcua.catalog.services import catalog_import
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db
SMALL = Path(__file__).resolve().parent.parent / "fixtures" / "small_catalog.json"


@pytest.fixture
def catalog():
    data = json.loads(SMALL.read_text(encoding="utf-8"))
    agency = AgencyFactory(name="Ủy ban nhân dân phường 1", address="12 Trần Hưng Đạo")
    data["procedures"][2]["agencies"] = [agency.code]
    catalog_import(actor=None, data=data)


def test_home_shows_the_search_box_and_fields(client, catalog):
    page = client.get(reverse("portal:home")).content.decode()
    assert 'type="search"' in page
    assert "Hộ tịch" in page and "3 thủ tục" in page


def test_search_without_diacritics(client, catalog):
    page = client.get(reverse("portal:procedure_list"), {"q": "khai sinh"}).content.decode()
    first = page.index("Thủ tục đăng ký khai sinh")
    assert first < page.index("Thủ tục trích lục khai sinh")
    assert "Tìm thấy 2 thủ tục" in page
    page = client.get(reverse("portal:procedure_list"), {"q": "dang ky khai sinh"}).content.decode()
    assert "Tìm thấy 1 thủ tục" in page


def test_unknown_filter_values_do_not_fail(client, catalog):
    response = client.get(
        reverse("portal:procedure_list"),
        {"field": "??", "tier": "moon", "level": "9", "trang": "abc", "q": "x" * 500},
    )
    assert response.status_code == 200
    assert "Một số bộ lọc không hợp lệ và đã được bỏ qua." in response.content.decode()


def test_filter_by_agency(client, catalog):
    agency_code = AgencyFactory._meta.model.objects.get(name="Ủy ban nhân dân phường 1").code
    page = client.get(reverse("portal:procedure_list"), {"agency": agency_code}).content.decode()
    assert "Tìm thấy 1 thủ tục" in page and "chứng thực bản sao" in page


def test_the_folded_filters_name_the_ones_in_force(client, catalog):
    agency_code = AgencyFactory._meta.model.objects.get(name="Ủy ban nhân dân phường 1").code
    query = {"q": "chung thuc", "agency": agency_code, "level": "partial", "tier": "moon"}
    page = client.get(reverse("portal:procedure_list"), query).content.decode()
    # The agency's name comes from its group (optgroup) of the select; a bad value is left out.
    chosen = ": Ủy ban nhân dân phường 1, Dịch vụ công trực tuyến một phần</span></summary>"
    assert chosen in page
    assert "Tìm thấy 1 thủ tục" in page
    page = client.get(reverse("portal:procedure_list"), {"q": "khai sinh"}).content.decode()
    assert "<summary>Bộ lọc</summary>" in page


def test_procedure_page_has_everything_a_citizen_needs(client, catalog):
    page = client.get(reverse("portal:procedure_detail", args=["2.000815"])).content.decode()
    for text in (
        "Thủ tục chứng thực bản sao từ bản chính giấy tờ, văn bản",
        "Mã thủ tục: 2.000815",
        "Trong ngày (nhận sau 15:00 trả vào ngày làm việc tiếp theo)",
        "2.000 đ/trang từ 1 đến 2",
        "tối đa 200.000 đ",
        "Bản sao cần chứng thực",
        "Ủy ban nhân dân phường 1 — 12 Trần Hưng Đạo",
        "Cách nộp hồ sơ",
    ):
        assert text in page, text


def test_procedure_page_shows_internal_steps(client, catalog):
    page = client.get(reverse("portal:procedure_detail", args=["1.000894"])).content.decode()
    assert "Quy trình giải quyết nội bộ" in page and "4 ngày" in page


def test_unknown_procedure_is_a_friendly_404(client, catalog):
    response = client.get(reverse("portal:procedure_detail", args=["0.000000"]))
    assert response.status_code == 404
    assert "Không tìm thấy trang" in response.content.decode()


def test_print_listing_for_the_counter(client, catalog):
    page = client.get(reverse("portal:procedure_print"), {"field": "HT"}).content.decode()
    assert "DANH MỤC THỦ TỤC HÀNH CHÍNH" in page
    assert "Thủ tục đăng ký khai sinh" in page and "chứng thực bản sao" not in page
    assert "print.css" in page


def test_english_switch(client, catalog):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "/thu-tuc/1.001193/"}, follow=True
    )
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == "/en/thu-tuc/1.001193/"
    assert "Birth registration" in page
    assert 'lang="en"' in page


def test_vietnamese_whatever_the_browser_prefers(client, catalog):
    page = client.get("/thu-tuc/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert 'lang="vi"' in page and "Thủ tục hành chính" in page
