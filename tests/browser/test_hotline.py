"""The demo province's hotline operator answers a call in a real browser, on a phone and on a
desktop: finds the caller's dossier by phone, reads the script, sends the lookup link by SMS.
The `page` fixture fails the test on any Content-Security-Policy violation."""

import pytest
from playwright.sync_api import expect

from motcua.catalog.models import Procedure
from motcua.dossiers import services
from motcua.notify.models import Channel, Event, Message, Template
from motcua.org.models import Agency, User
from motcua.privacy.models import PersonalDataAccess, Purpose


@pytest.fixture
def call(transactional_db):
    """The demo province, and a dossier received at Tân An's one-stop counter for the caller
    whose phone is 0903 111 222."""
    from motcua.demo.services import demo_province_load

    demo_province_load()
    # The migration's template rows do not survive the tables being flushed between tests.
    Template.objects.get_or_create(
        event=Event.LOOKUP_LINK,
        channel=Channel.SMS,
        defaults={"text": "Tra cuu ho so {ma_ho_so}: {tra_cuu}", "active": True},
    )
    city = Agency.objects.get(code="000.00.30.H39")
    procedure = Procedure.objects.filter(agencies=city).order_by("national_code").first()
    return services.dossier_receive_at_counter(
        actor=User.objects.get(username="tiepnhan.tanan"),
        procedure=procedure,
        agency=city,
        applicant={"name": "Trần Văn Gọi", "phone": "0903111222", "id_number": "080090001234"},
    ).dossier


def test_the_operator_answers_a_call_and_sends_the_link(page, call):
    page.goto("/can-bo/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("tongdai.tinh")
    page.get_by_label("Mật khẩu").fill("motcua-demo")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")
    page.goto("/can-bo/tong-dai/")

    page.get_by_label("Mã hồ sơ, số điện thoại hoặc số CCCD").fill("+84 903 111 222")
    page.get_by_role("button", name="Tìm").click()
    results = page.get_by_test_id("hotline-results")
    expect(results).to_contain_text("Trần Văn Gọi")
    expect(results).to_contain_text("0903 *** 222")
    results.get_by_role("link", name=call.code).click()

    script = page.get_by_test_id("hotline-script")
    expect(script).to_contain_text(f"Hồ sơ {call.code}")
    expect(script).to_contain_text("Trạng thái hiện nay: Đã tiếp nhận")
    expect(script).to_contain_text("Hẹn trả kết quả:")
    expect(script).to_contain_text(f"Nơi tiếp nhận và trả kết quả: {call.receiving_agency.name}")

    page.get_by_role("button", name="Gửi đường dẫn tra cứu qua SMS").click()
    expect(page.locator(".message-success")).to_contain_text(
        "Đã gửi đường dẫn tra cứu qua SMS đến số 0903 *** 222."
    )
    sent = Message.objects.get(event=Event.LOOKUP_LINK)
    assert (sent.channel, sent.recipient, sent.dossier_id) == ("sms", "0903111222", call.pk)
    purposes = set(
        PersonalDataAccess.objects.filter(user__username="tongdai.tinh").values_list(
            "purpose", flat=True
        )
    )
    assert purposes == {Purpose.HOTLINE, Purpose.HOTLINE_LINK}
