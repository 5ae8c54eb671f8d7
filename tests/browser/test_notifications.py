"""Issue 16's walk: a citizen chooses SMS and Zalo when submitting online; each told event
puts one outbox row per chosen channel; the officer sees them and their status on the
dossier page, and a delivery receipt turns one to "delivered"."""

import pytest
from playwright.sync_api import expect

from motcua.dossiers import services
from motcua.dossiers.models import Dossier
from motcua.notify import services as notify
from motcua.notify.defaults import ensure_starting_templates
from motcua.notify.models import Channel, Message, Template
from motcua.org.models import Role
from tests.browser.test_citizen import online, sign_up  # noqa: F401 (fixture)
from tests.world import PDF


@pytest.fixture
def zalo_on(db):
    ensure_starting_templates()  # an earlier transactional test emptied the tables
    Template.objects.filter(channel=Channel.ZNS).update(active=True, zns_template_id="231512")


def test_sms_and_zalo_chosen_online_then_seen_by_the_officer(
    phone,
    online,  # noqa: F811 (the fixture)
    zalo_on,
    browser,
    live_server,
    tmp_path,
):
    page = phone
    page.goto(f"/thu-tuc/{online.procedure.national_code}/")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    sign_up(page)
    expect(page.get_by_label("Họ tên người nộp (hoặc tên tổ chức)")).to_be_visible()
    # Signed up with a phone number: SMS is ticked already; the citizen adds Zalo.
    expect(page.get_by_role("checkbox", name="Tin nhắn SMS")).to_be_checked()
    page.get_by_role("checkbox", name="Zalo").check()
    form = tmp_path / "to-khai.pdf"
    form.write_bytes(PDF)
    page.get_by_label("Chọn tệp — Tờ khai").set_input_files(str(form))
    expect(page.locator(".file-list")).to_contain_text("to-khai.pdf")
    page.get_by_role("button", name="Lưu và xem lại để nộp").click()
    expect(page.get_by_test_id("notify-by")).to_have_text("Tin nhắn SMS, Zalo")
    page.get_by_role("button", name="Nộp hồ sơ").click()
    expect(page.get_by_text("Thông báo được gửi qua Tin nhắn SMS, Zalo")).to_be_visible()

    dossier = Dossier.objects.get(owner__isnull=False)
    s = online.staff
    dossier = services.dossier_receive(actor=s[Role.RECEPTION_OFFICER], dossier=dossier).dossier
    dossier = services.dossier_forward(actor=s[Role.RECEPTION_OFFICER], dossier=dossier).dossier
    services.dossier_request_supplement(
        actor=s[Role.SPECIALIST], dossier=dossier, missing_items=["Giấy chứng sinh"]
    )
    rows = Message.objects.filter(dossier=dossier)
    per_event = {}
    for event, channel in rows.values_list("event", "channel"):
        per_event.setdefault(event, []).append(channel)
    # Reception and the supplement request are told; the internal hand-over is not.
    assert {e: sorted(c) for e, c in per_event.items()} == {
        "received": ["sms", "zns"],
        "supplement": ["sms", "zns"],
    }
    for message in rows:
        assert notify.deliver(message.pk) == "sent"  # the local adapter, as on `make run`
    sms = rows.filter(channel="sms", event="received").get()

    officer = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    desk = officer.new_page()
    desk.goto("/can-bo/dang-nhap/")
    desk.get_by_label("Tên đăng nhập").fill(s[Role.SPECIALIST].username)
    desk.get_by_label("Mật khẩu").fill("mat-khau-thu-123")
    desk.get_by_role("button", name="Đăng nhập").click()
    desk.goto(f"/can-bo/ho-so/{dossier.code}/")
    table = desk.get_by_test_id("sent-messages")
    expect(table.locator("tbody tr")).to_have_count(4)
    expect(table.locator('tr[data-status="sent"]')).to_have_count(4)
    expect(desk.get_by_text("Người nộp chọn nhận qua: Tin nhắn SMS, Zalo")).to_be_visible()

    # eSMS's receipt for the reception's SMS.
    answer = desk.request.post(
        "/webhooks/esms/bao-nhan/", form={"SMSID": sms.provider_id, "SendStatus": "5"}
    )
    assert answer.ok and answer.text() == "OK"
    desk.reload()
    expect(table.locator('tr[data-status="delivered"]')).to_have_count(1)
    expect(table.locator('tr[data-status="delivered"]')).to_contain_text("Đã nhận")
    expect(table.locator('tr[data-status="delivered"]')).to_contain_text("Tin nhắn SMS")
    officer.close()
