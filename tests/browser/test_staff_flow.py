"""Officers of the demo province walk dossiers through the staff site in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from motcua.dossiers.models import Dossier

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def demo(transactional_db):
    from motcua.demo.services import demo_province_load

    demo_province_load()


@pytest.fixture
def desk(browser, live_server):
    """A desktop browser; each officer signs in in a fresh context."""
    contexts = []

    def sign_in(username):
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="vi-VN", base_url=live_server.url
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto("/can-bo/dang-nhap/")
        page.get_by_label("Tên đăng nhập").fill(username)
        page.get_by_label("Mật khẩu").fill("motcua-demo")
        page.get_by_role("button", name="Đăng nhập").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")
        return page

    yield sign_in
    for context in contexts:
        context.close()


def _act(page, action_label, fields=None, files=None):
    section = page.locator("details.action", has=page.get_by_text(action_label, exact=True))
    section.locator("summary").click()
    for label, value in (fields or {}).items():
        section.get_by_label(label).fill(value)
    if files:
        section.locator("input[type=file]").set_input_files(files)
    section.get_by_role("button", name=action_label).click()
    expect(page.locator(".message-success")).to_contain_text(f"Đã thực hiện: {action_label}")


def _open(page, code):
    page.goto(f"/can-bo/ho-so/{code}/")


class Counter:
    """Counts what an officer does: clicks and keystrokes."""

    def __init__(self, page):
        self.page, self.clicks, self.keys = page, 0, 0

    def click(self, locator):
        locator.click()
        self.clicks += 1

    def type(self, locator, text):
        locator.click()
        self.clicks += 1
        locator.press_sequentially(text)
        self.keys += len(text)

    def press(self, key):
        self.page.keyboard.press(key)
        self.keys += 1


def test_counter_to_return_through_every_role(demo, desk):
    page = desk("tiepnhan.tanan")
    page.get_by_role("link", name="Tiếp nhận hồ sơ mới").click()
    counter = Counter(page)
    # The procedure's field has focus already: type a few letters without diacritics.
    counter.type(page.get_by_role("combobox", name=re.compile("Gõ tên")), "ho kinh doanh")
    expect(page.locator("#procedure-options [role=option]").first).to_contain_text(
        "Đăng ký thành lập hộ kinh doanh"
    )
    counter.press("Enter")
    expect(page.get_by_test_id("fee")).to_contain_text("100.000 đ")
    counter.type(page.get_by_label("Số định danh / mã số thuế"), "079123456789")
    counter.type(page.get_by_label("Họ tên người nộp / tên tổ chức"), "Nguyễn Văn Khang")
    counter.type(page.get_by_label("Điện thoại"), "0912345678")
    first_component = page.locator(".checklist-table tbody tr").first
    counter.click(first_component.get_by_role("checkbox"))
    first_component.locator("input[type=file]").set_input_files(
        {"name": "giay-de-nghi.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    counter.clicks += 1  # choosing the scanned file
    counter.click(page.get_by_role("button", name="Tiếp nhận và in giấy hẹn"))
    expect(page.locator(".message-success").first).to_contain_text("Đã tiếp nhận hồ sơ")
    expect(page.get_by_test_id("print-form")).to_be_visible()
    print(f"\nCounter reception: {counter.clicks} clicks, {counter.keys} keystrokes")
    assert counter.clicks <= 8 and counter.keys <= 60
    code = page.get_by_test_id("dossier-code").inner_text()
    assert re.match(r"^000\.00\.30\.H39-\d{6}-\d{4}$", code)

    _act(page, "Chuyển bước tiếp theo")
    head = desk("truongphong.tanan")
    _open(head, code)
    section = head.locator("details.action", has=head.get_by_text("Phân công xử lý", exact=True))
    section.locator("summary").click()
    # Each name comes with the person's title and how many dossiers he holds now.
    oanh = section.locator("option", has_text="Đỗ Thị Oanh")
    expect(oanh).to_contain_text("hồ sơ đang xử lý")
    section.get_by_label("Cán bộ xử lý").select_option(value=oanh.get_attribute("value"))
    section.get_by_role("button", name="Phân công xử lý").click()
    expect(head.locator(".message-success")).to_contain_text("Phân công xử lý")

    specialist = desk("chuyenvien.tanan")
    specialist.get_by_role("link", name=re.compile("Tôi đang xử lý")).click()
    specialist.get_by_role("link", name=code).click()
    _act(
        specialist,
        "Yêu cầu bổ sung hồ sơ",
        {"Giấy tờ cần bổ sung, hoàn thiện (mỗi dòng một mục)": "Bản sao biên bản họp gia đình"},
    )
    expect(specialist.get_by_test_id("dossier-state")).to_have_text("Chờ bổ sung")

    _open(page, code)
    _act(
        page,
        "Nhận hồ sơ bổ sung",
        files=[{"name": "bien-ban.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    _open(specialist, code)
    _act(specialist, "Chuyển bước tiếp theo")

    _open(head, code)
    _act(head, "Phê duyệt kết quả")
    _open(page, code)
    _act(
        page,
        "Có kết quả, chờ trả",
        files=[{"name": "giay-chung-nhan.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    _act(page, "Trả kết quả")
    expect(page.get_by_test_id("dossier-state")).to_have_text("Đã trả kết quả")
    dossier = Dossier.objects.get(code=code)
    assert [e.action for e in dossier.events.order_by("seq")] == [
        "receive",
        "forward",
        "assign",
        "request_supplement",
        "receive_supplement",
        "forward",
        "approve",
        "mark_result_ready",
        "return_result",
    ]


def test_lien_thong_from_a_ward_to_the_city_and_back(demo, desk):
    ward = desk("tiepnhan.p1")
    ward.goto("/can-bo/tiep-nhan/")
    ward.get_by_role("combobox", name=re.compile("Gõ tên")).fill("mai tang bao tro")
    ward.locator("#procedure-options [role=option]").first.click()
    ward.get_by_label("Họ tên người nộp / tên tổ chức").fill("Trần Văn Út")
    ward.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()
    code = ward.get_by_test_id("dossier-code").inner_text()
    _act(ward, "Chuyển bước tiếp theo")
    ward_specialist = desk("tuphap.p1")
    _open(ward_specialist, code)
    _act(ward_specialist, "Chuyển bước tiếp theo")
    # Now at the city's People's Committee: the ward keeps read access only.
    _open(ward_specialist, code)
    expect(ward_specialist.get_by_text("bạn chỉ xem")).to_be_visible()
    expect(ward_specialist.locator("details.action")).to_have_count(0)

    city = desk("chuyenvien.tanan")
    city.get_by_role("link", name=re.compile("Tất cả hồ sơ")).click()
    city.get_by_role("link", name=code).click()
    _act(city, "Chuyển bước tiếp theo")
    leader = desk("lanhdao.tanan")
    _open(leader, code)
    _act(leader, "Phê duyệt kết quả")
    _open(ward, code)
    expect(ward.get_by_text("Nơi đang xử lý: Ủy ban nhân dân phường 1")).to_be_visible()
    _act(
        ward,
        "Có kết quả, chờ trả",
        files=[{"name": "quyet-dinh.pdf", "mimeType": "application/pdf", "buffer": PDF}],
    )
    _act(ward, "Trả kết quả")
    steps = Dossier.objects.get(code=code).steps.order_by("order")
    assert [s.agency.code for s in steps] == [
        "000.01.30.H39",
        "000.01.30.H39",
        "000.00.30.H39",
        "000.00.30.H39",
        "000.01.30.H39",
    ]
