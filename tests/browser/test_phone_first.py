"""Phone first (issue 24, point 6): on a phone a citizen reaches "Nộp hồ sơ trực tuyến" without
scrolling to the end of a long procedure page, and a search shows its results before the
filters. The demo province's real procedures make the pages as long as a citizen gets them."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import _watch_policy

# The phone the finding was made on.
PHONE_390 = {"width": 390, "height": 844}
ONLINE = "1.001193"  # Thủ tục đăng ký khai sinh: full online service, a long page
OFFLINE = "1.012812"  # Hòa giải tranh chấp đất đai: information only, no online submission
SUBMIT = "Nộp hồ sơ trực tuyến"


@pytest.fixture
def province(transactional_db):
    from motcua.demo.services import demo_province_load

    demo_province_load()


@pytest.fixture
def phone_390(browser, live_server):
    context = browser.new_context(
        viewport=PHONE_390,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
        base_url=live_server.url,
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    refused = _watch_policy(page)
    yield page
    context.close()
    assert not refused, f"Content-Security-Policy violations: {refused}"


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not shown"
    return found


def within_screen(page, locator) -> bool:
    """Wholly inside the visible viewport, as the page is scrolled now."""
    b, size = box(locator), page.viewport_size
    return (
        b["y"] >= 0
        and b["y"] + b["height"] <= size["height"]
        and b["x"] >= 0
        and b["x"] + b["width"] <= size["width"]
    )


def uncovered(page, locator) -> bool:
    """Nothing painted over the element's last line: it is what the eye meets there."""
    b = box(locator)
    return locator.evaluate(
        "(el, [x, y]) => el.contains(document.elementFromPoint(x, y))",
        [b["x"] + min(b["width"], 40) / 2, b["y"] + b["height"] - 2],
    )


def scroll_to_the_end(page) -> None:
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    page.wait_for_function(
        "Math.ceil(window.scrollY + window.innerHeight)"
        " >= document.documentElement.scrollHeight - 1"
    )


def test_the_submit_button_is_on_the_first_screen(page, province):
    page.goto(f"/thu-tuc/{ONLINE}/")
    submit = page.get_by_role("link", name=SUBMIT)
    # One link, so a screen reader meets it once.
    expect(submit).to_have_count(1)
    page_height = page.evaluate("document.documentElement.scrollHeight")
    assert page_height > 2 * page.viewport_size["height"], "the page should be a long one"
    assert page.evaluate("window.scrollY") == 0
    assert within_screen(page, submit)
    # It comes right after the key facts, before the documents to bring.
    assert box(submit)["y"] < box(page.get_by_role("heading", name="Thành phần hồ sơ"))["y"]


def test_on_a_phone_the_submit_bar_stays_and_covers_nothing(phone_390, province):
    page = phone_390
    page.goto(f"/thu-tuc/{ONLINE}/")
    submit = page.get_by_role("link", name=SUBMIT)
    assert within_screen(page, submit)

    scroll_to_the_end(page)
    assert page.evaluate("window.scrollY") > page.viewport_size["height"]
    assert within_screen(page, submit), "the submit button should stay on the screen"
    bar_top = box(page.locator(".submit-bar"))["y"]
    # Scrolled to the end, the last thing on the page is above the bar, not under it.
    last = page.locator(".site-footer p").last
    assert box(last)["y"] + box(last)["height"] <= bar_top
    assert uncovered(page, last)
    feedback = page.get_by_role("link", name="Góp ý, phản ánh về thủ tục này")
    assert box(feedback)["y"] + box(feedback)["height"] <= bar_top

    submit.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")


def test_an_offline_procedure_has_no_submit_bar(phone_390, province):
    page = phone_390
    page.goto(f"/thu-tuc/{OFFLINE}/")
    expect(page.get_by_role("link", name=SUBMIT)).to_have_count(0)
    expect(page.locator(".submit-bar")).to_have_count(0)
    # The page says so near the top, before the documents, and points to the other ways.
    said = page.get_by_text("Thủ tục này chưa nhận hồ sơ trực tuyến.").first
    expect(said).to_be_visible()
    assert box(said)["y"] < box(page.get_by_role("heading", name="Thành phần hồ sơ"))["y"]
    page.get_by_role("link", name="Cách nộp trực tiếp").click()
    expect(page).to_have_url(re.compile("#submit-title$"))
    expect(page.get_by_role("heading", name="Cách nộp hồ sơ")).to_be_in_viewport()

    # Nothing sits over the end of the page, and the page keeps no room for a bar.
    scroll_to_the_end(page)
    last = page.locator(".site-footer p").last
    bottom = box(last)["y"] + box(last)["height"]
    assert uncovered(page, last)
    assert page.viewport_size["height"] - bottom < 40


def test_on_a_phone_the_results_come_before_the_filters(phone_390, province):
    page = phone_390
    page.goto("/thu-tuc/")
    search = page.get_by_role("searchbox", name="Tìm thủ tục")
    expect(search).to_be_visible()
    search.fill("khai sinh")
    search.press("Enter")
    count = page.get_by_role("status")
    expect(count).to_contain_text("Tìm thấy 3 thủ tục")
    first = page.locator(".procedure-item").first
    expect(first).to_contain_text("khai sinh")
    assert page.evaluate("window.scrollY") == 0
    assert within_screen(page, search)
    assert within_screen(page, count)
    assert within_screen(page, first)
    # The other filters wait behind one tap.
    expect(page.get_by_label("Lĩnh vực")).to_be_hidden()
    page.get_by_text("Bộ lọc", exact=True).click()
    expect(page.get_by_label("Lĩnh vực")).to_be_visible()


def test_the_filters_still_narrow_the_results(page, province):
    page.goto("/thu-tuc/?q=khai+sinh")
    expect(page.get_by_role("status")).to_contain_text("Tìm thấy 3 thủ tục")
    level = page.get_by_label("Mức độ")
    phone = page.viewport_size["width"] < 768
    if phone:
        expect(level).to_be_hidden()
        page.get_by_text("Bộ lọc", exact=True).click()
    else:  # a wide screen shows them all along
        expect(level).to_be_visible()
    level.select_option(label="Dịch vụ công trực tuyến toàn trình")
    page.get_by_role("button", name="Áp dụng bộ lọc").click()

    expect(page.get_by_role("status")).to_contain_text("Tìm thấy 1 thủ tục")
    expect(page.locator(".procedure-item")).to_have_count(1)
    expect(page.locator(".procedure-item")).to_contain_text("Thủ tục đăng ký khai sinh")
    expect(page.get_by_role("searchbox", name="Tìm thủ tục")).to_have_value("khai sinh")
    if phone:  # folded again, saying what it holds
        expect(level).to_be_hidden()
        expect(page.locator(".filter-more summary")).to_have_text(
            "Bộ lọc: Dịch vụ công trực tuyến toàn trình"
        )
    else:
        expect(level).to_have_value("full")
