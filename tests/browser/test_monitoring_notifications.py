"""A supervisor reads the monitoring of notifications in a real browser: from the dashboard to
the figures per channel, then from a failed count to exactly those messages, masked; both
pages pass axe-core."""

import random
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from motcua.monitoring import messages
from motcua.monitoring.figures import Scope
from motcua.monitoring.periods import Period
from motcua.org.models import Agency
from tests.browser.test_accessibility import serious
from tests.monitoring.outbox import random_lookups, random_messages

SHOTS = "/tmp/motcua-shots"
MASKED = re.compile(r"^(\d{4} \*\*\* \d{3}|\w{1,2}\*\*\*@[\w.]+|\*\*\*)$")


@pytest.fixture
def outbox(transactional_db):
    from motcua.demo.services import demo_province_load

    demo_province_load()
    today = timezone.localdate()
    rng = random.Random(8)
    agencies = [*Agency.objects.values_list("pk", flat=True), None]
    random_messages(rng, agencies, today.replace(day=1), today, 160)
    random_lookups(rng, agencies, today.replace(day=1), today, 60)
    return Period.month(today.year, today.month)


@pytest.fixture
def supervisor(browser, live_server):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="vi-VN", base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto("/can-bo/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("giamsat.tinh")
    page.get_by_label("Mật khẩu").fill("motcua-demo")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")
    yield page
    context.close()


def _number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def test_a_supervisor_follows_a_failed_count_to_its_messages(outbox, supervisor):
    page = supervisor
    page.get_by_role("link", name="Theo dõi, đánh giá").first.click()
    page.get_by_role("link", name="Thông báo và tra cứu").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thông báo và tra cứu")
    assert serious(page) == []
    page.screenshot(path=f"{SHOTS}/monitoring-notifications.png", full_page=True)

    fig = messages.notification_figures(Scope(), outbox)
    sms = next(r for r in fig.channels if r.key == "sms").counts
    row = page.locator("#channels tr[data-channel=sms]")
    cells = row.locator("td")
    assert _number(cells.nth(0).inner_text()) == sms.total
    assert _number(cells.nth(3).inner_text()) == sms.failed > 0
    lookups = page.locator("#lookup-counts tr.total td")
    assert _number(lookups.nth(2).inner_text()) == fig.lookups_total.total

    cells.nth(3).get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Lỗi, không gửi lại")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Tin nhắn SMS")
    total = int(page.locator("[data-total]").get_attribute("data-total"))
    assert total == sms.failed
    recipients = page.locator("#message-rows td.recipient").all_inner_texts()
    assert len(recipients) == min(total, 25)
    assert all(MASKED.match(r.strip()) for r in recipients), recipients
    assert "Nguyễn Văn Bình" not in page.content()  # the text of a message is never shown
    assert serious(page) == []
    page.screenshot(path=f"{SHOTS}/monitoring-messages.png", full_page=True)
    page.get_by_role("link", name="Thông báo và tra cứu").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thông báo và tra cứu")


def test_the_page_reads_on_a_phone(outbox, supervisor):
    page = supervisor
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"/can-bo/giam-sat/thong-bao/?ky={outbox.key}")
    expect(page.get_by_role("heading", name="Lượt tra cứu theo kênh")).to_be_visible()
    assert serious(page) == []
    page.screenshot(path=f"{SHOTS}/monitoring-notifications-phone.png", full_page=True)
