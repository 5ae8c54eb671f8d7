"""A citizen finds a procedure by typing without diacritics and reads its page."""

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from motcua.catalog.services import catalog_import

SMALL = Path(__file__).resolve().parent.parent / "fixtures" / "small_catalog.json"


@pytest.fixture
def catalog(transactional_db):
    catalog_import(actor=None, data=json.loads(SMALL.read_text(encoding="utf-8")))


def test_search_without_diacritics_then_open_the_procedure(page, catalog):
    page.goto("/")
    search = page.get_by_role("searchbox", name="Tìm thủ tục hành chính")
    search.fill("dang ky khai sinh")
    search.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Tìm thấy 1 thủ tục")
    first = page.locator(".procedure-item").first
    expect(first).to_contain_text("Thủ tục đăng ký khai sinh")
    first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thủ tục đăng ký khai sinh")
    expect(page.get_by_text("Mã thủ tục: 1.001193")).to_be_visible()
    expect(page.get_by_role("heading", name="Thành phần hồ sơ")).to_be_visible()
    expect(page.get_by_role("cell", name=re.compile("Tờ khai đăng ký khai sinh"))).to_be_visible()
    # Nothing wider than the screen on a phone.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_filter_by_field_and_level(page, catalog):
    page.goto("/thu-tuc/")
    if page.viewport_size["width"] < 768:  # a phone folds the filters under the search box
        page.get_by_text("Bộ lọc", exact=True).click()
    page.get_by_label("Lĩnh vực").select_option(label="Hộ tịch")
    page.get_by_label("Mức độ").select_option(label="Dịch vụ công trực tuyến toàn trình")
    page.get_by_role("button", name="Tìm", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Tìm thấy 2 thủ tục")
    expect(page.locator(".procedure-item")).to_have_count(2)


def test_switch_to_english_and_back(page, catalog):
    page.goto("/thu-tuc/1.001193/")
    page.get_by_role("link", name="English").click()
    expect(page).to_have_url(re.compile(r"/en/thu-tuc/1\.001193/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Birth registration")
    page.get_by_role("link", name="Tiếng Việt").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thủ tục đăng ký khai sinh")


def test_keyboard_user_can_skip_to_content(page, catalog):
    page.goto("/thu-tuc/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Bỏ qua, đến nội dung chính")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()


def test_counter_print_listing(page, catalog):
    page.goto("/thu-tuc/ban-in/?field=CT")
    expect(page.get_by_role("heading", name="DANH MỤC THỦ TỤC HÀNH CHÍNH")).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(1)
    pdf = page.pdf(format="A4", landscape=True) if page.viewport_size["width"] > 400 else None
    if pdf is not None:
        assert pdf.startswith(b"%PDF")


def test_our_stylesheet_is_served_and_applied(page, catalog):
    page.goto("/")
    header = page.locator(".site-header")
    expect(header).to_have_css("background-color", "rgb(179, 38, 30)")
