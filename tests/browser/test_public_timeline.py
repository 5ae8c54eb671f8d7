"""A citizen on a phone looks up a dossier submitted online and reads its timeline in plain
words, with none of the officers' internal events; once rated, the lookup stops offering the
rating link, even where it had been served from the shared cache."""

import pytest
from playwright.sync_api import expect

from motcua.catalog.models import OnlineLevel
from motcua.dossiers import services
from motcua.dossiers.lifecycle import State
from motcua.dossiers.services import online
from motcua.org.models import Role
from tests.browser.conftest import PHONE
from tests.world import pdf_upload

# The officers' words for internal events: none may reach the public.
INTERNAL_WORDS = (
    "Tạo hồ sơ",
    "Cập nhật hồ sơ nháp",
    "Đính kèm tệp",
    "Chuyển bước tiếp theo",
    "Phê duyệt kết quả",
)


@pytest.fixture
def returned(world):
    """An online dossier with a draft's history (three files, a save), an internal hand-over,
    a supplement, a hand-over to the district and back, and its result returned."""
    world.procedure.online_level = OnlineLevel.FULL
    world.procedure.save()
    s, applicant = world.staff, {"name": "Lê Thị Hoa", "phone": "0903111222"}
    draft = services.dossier_create_draft(
        owner=world.citizen,
        procedure=world.procedure,
        agency=world.commune_ubnd,
        applicant=applicant,
    )
    component = world.procedure.components.first().pk
    for name in ("to-khai.pdf", "trang-2.pdf", "trang-3.pdf"):
        online.dossier_attach_files(
            owner=world.citizen, dossier=draft, component_id=component, uploads=[pdf_upload(name)]
        )
    online.dossier_update_draft(
        owner=world.citizen, dossier=draft, applicant=applicant, delivery="counter"
    )
    d = online.dossier_submit_online(owner=world.citizen, dossier=draft).dossier
    d = services.dossier_receive(actor=s[Role.RECEPTION_OFFICER], dossier=d).dossier
    d = services.dossier_forward(actor=s[Role.RECEPTION_OFFICER], dossier=d).dossier
    d = services.dossier_request_supplement(
        actor=s[Role.SPECIALIST], dossier=d, missing_items=["Bản sao sổ hộ khẩu"]
    ).dossier
    d = services.dossier_receive_supplement(
        actor=s[Role.RECEPTION_OFFICER], dossier=d, files=[pdf_upload("ho-khau.pdf")]
    ).dossier
    d = services.dossier_forward(actor=s[Role.SPECIALIST], dossier=d).dossier
    d = services.dossier_forward(actor=world.district_staff[Role.SPECIALIST], dossier=d).dossier
    d = services.dossier_approve(actor=s[Role.AGENCY_LEADER], dossier=d).dossier
    d = services.dossier_mark_result_ready(
        actor=s[Role.RECEPTION_OFFICER], dossier=d, files=[pdf_upload()]
    ).dossier
    assert d.state == State.RESULT_READY
    return d


def look_up(page, dossier):
    page.goto("/tra-cuu/")
    page.get_by_label("Mã hồ sơ").fill(dossier.code)
    page.get_by_label("4 số cuối điện thoại người nộp").fill("1222")
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_role("heading", name=f"Hồ sơ {dossier.code}")).to_be_visible()
    return page.locator(".lookup-result .timeline")


def test_a_citizen_reads_the_timeline_in_plain_words_on_a_phone(
    phone, browser, live_server, returned, world
):
    page = phone
    timeline = look_up(page, returned)
    lines = timeline.get_by_role("listitem")
    expect(lines).to_have_count(7)
    for n, words in enumerate(
        [
            "Đã nộp hồ sơ trực tuyến",
            "Đã tiếp nhận hồ sơ",
            "Cơ quan yêu cầu bổ sung hồ sơ",
            "Đã nhận giấy tờ bổ sung",
            "Hồ sơ được chuyển đến UBND huyện Thử",
            "Hồ sơ được chuyển đến UBND xã Thử",
            "Đã có kết quả giải quyết",
        ]
    ):
        expect(lines.nth(n)).to_contain_text(words)
    # What the citizen must do now is on the newest line, and only there.
    expect(lines.last).to_contain_text("Mời bạn đến nhận kết quả tại Bộ phận Một cửa")
    expect(timeline.locator(".awaited")).to_have_count(1)
    for words in INTERNAL_WORDS:
        expect(timeline).not_to_contain_text(words)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

    # Returned: the rating is offered; after rating, a fresh visitor (served from the shared
    # cache, which held the page with the link) is told it was rated instead.
    services.dossier_return_result(actor=world.staff[Role.RECEPTION_OFFICER], dossier=returned)
    look_up(page, returned)
    expect(page.locator(".lookup-result .timeline li").last).to_contain_text("Đã trả kết quả")
    page.get_by_role("link", name="Đánh giá mức độ hài lòng").click()
    page.get_by_label("4 số cuối điện thoại người nộp").fill("1222")
    page.get_by_role("button", name="Tiếp tục").click()
    for criterion in (
        "Thái độ phục vụ của cán bộ",
        "Thời gian giải quyết",
        "Thủ tục, hồ sơ phải nộp",
        "Kết quả giải quyết",
    ):
        page.get_by_role("group", name=criterion).get_by_label("Hài lòng", exact=True).check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_text("Cảm ơn bạn đã đánh giá.")).to_be_visible()

    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="vi-VN", base_url=live_server.url
    )
    stranger = context.new_page()
    look_up(stranger, returned)
    expect(stranger.get_by_text("Bạn đã đánh giá hồ sơ này.")).to_be_visible()
    expect(stranger.get_by_role("link", name="Đánh giá mức độ hài lòng")).to_have_count(0)
    context.close()
