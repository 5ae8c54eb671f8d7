"""A citizen on a phone: finds a procedure without diacritics, signs up, fills in and submits a
dossier with two uploads, saves a draft and comes back, answers a supplement request, downloads
the electronic result and rates it; and anyone looks a dossier up by code and phone, or by the
QR link printed on the receipt."""

import re

import pytest
from playwright.sync_api import expect

from motcua.catalog.models import OnlineLevel
from motcua.dossiers import services
from motcua.dossiers.lifecycle import State
from motcua.dossiers.models import Dossier
from motcua.dossiers.selectors import lookup_url
from motcua.org.models import Role
from tests.world import PDF, bring_to, pdf_upload

# A real 1×1 PNG: uploads are checked down to the image's header.
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\r\xefF\xb8\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture
def online(world):
    world.procedure.name = "Thủ tục đăng ký khai sinh"
    world.procedure.online_level = OnlineLevel.FULL
    world.procedure.save()
    return world


def sign_up(page):
    page.get_by_role("link", name="Đăng ký").click()
    page.get_by_label("Họ và tên").fill("Lê Thị Hoa")
    page.get_by_label("Số điện thoại hoặc thư điện tử").fill("0903 111 222")
    page.get_by_label("Mật khẩu", exact=True).fill("Mot-cua-2026!")
    page.get_by_label("Nhập lại mật khẩu").fill("Mot-cua-2026!")
    page.get_by_role("button", name="Đăng ký").click()


def test_find_sign_up_save_a_draft_resume_and_submit(phone, online, tmp_path):
    page = phone
    page.goto("/")
    search = page.get_by_role("searchbox", name="Tìm thủ tục hành chính")
    search.fill("dang ky khai sinh")
    search.press("Enter")
    page.locator(".procedure-item").first.get_by_role("link").click()
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    # Not signed in yet: the sign-in page, then sign-up, comes back to the submission.
    expect(page.get_by_role("heading", level=1)).to_have_text("Đăng nhập")
    sign_up(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Thủ tục đăng ký khai sinh")
    expect(page.get_by_label("Họ tên người nộp (hoặc tên tổ chức)")).to_have_value("Lê Thị Hoa")

    first, second = tmp_path / "to-khai.pdf", tmp_path / "anh-giay-to.png"
    first.write_bytes(PDF)
    second.write_bytes(PNG)
    page.get_by_label("Chọn tệp — Tờ khai").set_input_files([str(first), str(second)])
    expect(page.locator(".file-list")).to_contain_text("to-khai.pdf")
    expect(page.locator(".file-list")).to_contain_text("anh-giay-to.png")

    page.get_by_label("Nội dung đề nghị (không bắt buộc)").fill("Khai sinh cho con thứ hai")
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.get_by_text("Đã lưu nháp")).to_be_visible()

    # Later: back through "Hồ sơ của tôi" to the draft, which kept everything.
    page.goto("/")
    page.get_by_role("link", name="Hồ sơ của tôi").first.click()
    page.get_by_role("link", name="Thủ tục đăng ký khai sinh").click()
    expect(page.get_by_label("Nội dung đề nghị (không bắt buộc)")).to_have_value(
        "Khai sinh cho con thứ hai"
    )
    expect(page.locator(".file-list")).to_contain_text("to-khai.pdf")

    page.get_by_role("button", name="Lưu và xem lại để nộp").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Xem lại trước khi nộp")
    page.get_by_role("button", name="Nộp hồ sơ").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Đã nộp hồ sơ")
    dossier = Dossier.objects.get(owner__username="0903111222")
    assert dossier.state == State.SUBMITTED and dossier.files.count() == 2
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def _citizen_dossier(online, page):
    """A submitted dossier of a signed-in citizen, received and at processing."""
    from tests.portal.citizen import citizen

    user = citizen()
    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_label("Số điện thoại hoặc thư điện tử").fill("0903111222")
    page.get_by_label("Mật khẩu").fill("Mot-cua-2026!")
    page.get_by_role("button", name="Đăng nhập").click()
    draft = services.dossier_create_draft(
        owner=user,
        procedure=online.procedure,
        agency=online.commune_ubnd,
        applicant={"name": "Lê Thị Hoa", "phone": "0903111222"},
        files=[(online.procedure.components.first().pk, pdf_upload("to-khai.pdf"))],
    )
    services.dossier_submit(actor=user, dossier=draft)
    officer = online.staff[Role.RECEPTION_OFFICER]
    dossier = services.dossier_receive(actor=officer, dossier=draft).dossier
    return services.dossier_forward(actor=officer, dossier=dossier).dossier


def test_answer_a_supplement_then_download_and_rate_the_result(phone, online, tmp_path):
    page = phone
    dossier = _citizen_dossier(online, page)
    s = online.staff
    services.dossier_request_supplement(
        actor=s[Role.SPECIALIST], dossier=dossier, missing_items=["Bản sao giấy chứng nhận kết hôn"]
    )
    page.goto(f"/tai-khoan/ho-so/{dossier.reference}/")
    expect(page.get_by_role("heading", name="Cần bổ sung hồ sơ")).to_be_visible()
    # Listed in the supplement form, and named in the timeline's "what is awaited".
    expect(page.get_by_text("Bản sao giấy chứng nhận kết hôn", exact=True)).to_be_visible()
    expect(
        page.get_by_text("Chờ bạn bổ sung giấy tờ: Bản sao giấy chứng nhận kết hôn")
    ).to_be_visible()
    extra = tmp_path / "ket-hon.pdf"
    extra.write_bytes(PDF)
    page.get_by_label("Tệp giấy tờ bổ sung").set_input_files(str(extra))
    page.get_by_role("button", name="Gửi bổ sung").click()
    expect(page.get_by_text("Đã gửi hồ sơ bổ sung")).to_be_visible()
    expect(page.locator(".facts").first).to_contain_text("Đang xử lý")

    dossier.refresh_from_db()
    dossier = services.dossier_forward(actor=s[Role.SPECIALIST], dossier=dossier).dossier
    dossier = services.dossier_forward(
        actor=online.district_staff[Role.SPECIALIST], dossier=dossier
    ).dossier
    dossier = services.dossier_approve(actor=s[Role.AGENCY_LEADER], dossier=dossier).dossier
    dossier = services.dossier_mark_result_ready(
        actor=s[Role.RECEPTION_OFFICER], dossier=dossier, files=[pdf_upload("giay-khai-sinh.pdf")]
    ).dossier
    services.dossier_return_result(actor=s[Role.RECEPTION_OFFICER], dossier=dossier)

    page.reload()
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Tải kết quả")).click()
    saved = tmp_path / "ket-qua.pdf"
    download.value.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF")

    page.get_by_role("link", name="Đánh giá mức độ hài lòng").click()
    for criterion in ("Thái độ phục vụ của cán bộ", "Thời gian giải quyết"):
        page.get_by_role("group", name=criterion).get_by_label("Rất hài lòng").check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_text("Vui lòng chọn mức đánh giá cho mọi tiêu chí.")).to_be_visible()
    for criterion in ("Thủ tục, hồ sơ phải nộp", "Kết quả giải quyết"):
        page.get_by_role("group", name=criterion).get_by_label("Hài lòng", exact=True).check()
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_text("Cảm ơn bạn đã đánh giá.")).to_be_visible()
    expect(page.get_by_role("heading", name="Đánh giá của bạn")).to_be_visible()


def test_lookup_by_code_and_phone_and_by_the_receipt_qr(phone, world):
    page = phone
    dossier = bring_to(world, State.PROCESSING)
    page.goto("/")
    page.get_by_role("link", name="Tra cứu hồ sơ").first.click()
    page.get_by_label("Mã hồ sơ").fill(dossier.code)
    page.get_by_label("4 số cuối điện thoại người nộp").fill("5678")
    page.get_by_role("button", name="Tra cứu").click()
    expect(page.get_by_role("heading", name=f"Hồ sơ {dossier.code}")).to_be_visible()
    expect(page.locator(".lookup-result")).to_contain_text("Đang xử lý")
    expect(page.locator(".lookup-result")).not_to_contain_text("Nguyễn Văn Bình")

    # The QR on the receipt opens the lookup with the code filled in; only the phone is asked.
    qr = lookup_url(dossier)
    page.goto(qr.split("127.0.0.1:8000", 1)[-1] if "127.0.0.1:8000" in qr else qr)
    expect(page.get_by_label("Mã hồ sơ")).to_have_value(dossier.code)
    expect(page.get_by_label("4 số cuối điện thoại người nộp")).to_be_focused()
    page.get_by_label("4 số cuối điện thoại người nộp").fill("5678")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name=f"Hồ sơ {dossier.code}")).to_be_visible()


def test_feedback_sent_on_a_phone_answered_at_the_desk_and_published(
    phone, world, browser, live_server
):
    page = phone
    page.goto("/")
    page.get_by_role("link", name="Phản ánh, kiến nghị").click()
    page.get_by_role("link", name="Gửi phản ánh, kiến nghị").click()
    page.get_by_label("Kiến nghị").check()
    page.get_by_label("Tiêu đề", exact=True).fill("Thêm giờ tiếp nhận buổi trưa")
    page.get_by_label("Nội dung", exact=True).fill(
        "Đề nghị xã tiếp nhận hồ sơ cả giờ nghỉ trưa cho người đi làm."
    )
    page.get_by_label("Cơ quan liên quan (nếu có)").select_option(label="UBND xã Thử")
    page.get_by_label("Họ tên người gửi").fill("Trần Văn Nam")
    page.get_by_label("Số điện thoại", exact=True).fill("0912000111")
    page.get_by_label(re.compile("Đồng ý công khai")).check()
    page.get_by_role("button", name="Gửi").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thêm giờ tiếp nhận buổi trưa")
    expect(page.get_by_text("Chờ trả lời")).to_be_visible()
    own_page = page.url

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    officer = desk.new_page()
    from django.test import Client

    client = Client()
    client.force_login(world.staff[Role.AGENCY_LEADER])
    session = client.cookies["sessionid"].value
    desk.add_cookies([{"name": "sessionid", "value": session, "url": live_server.url}])
    officer.goto("/can-bo/phan-anh/")
    officer.get_by_role("link", name="Thêm giờ tiếp nhận buổi trưa").click()
    officer.get_by_label("Trả lời").fill("Từ tháng sau xã tiếp nhận đến 12 giờ 30 các ngày thứ Tư.")
    officer.get_by_role("button", name="Gửi trả lời").click()
    expect(officer.get_by_text("Đã trả lời. Câu trả lời được công khai.")).to_be_visible()
    desk.close()

    page.goto(own_page)
    expect(page.get_by_text("Từ tháng sau xã tiếp nhận đến 12 giờ 30")).to_be_visible()
    # The sender judges the answer (indicator 5.3), proving it with the phone's last digits.
    verdict = page.get_by_role("group", name="Bạn có hài lòng với câu trả lời không?")
    verdict.get_by_label("Hài lòng", exact=True).check()
    page.get_by_label("4 số cuối điện thoại hoặc thư điện tử đã để lại khi gửi").fill("0000")
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_role("alert").filter(has_text="4 số cuối điện thoại")).to_be_visible()
    page.get_by_role("group", name="Bạn có hài lòng với câu trả lời không?").get_by_label(
        "Hài lòng", exact=True
    ).check()
    page.get_by_label("4 số cuối điện thoại hoặc thư điện tử đã để lại khi gửi").fill("0111")
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_text("Cảm ơn bạn đã đánh giá câu trả lời.")).to_be_visible()
    expect(page.get_by_text("Người gửi đánh giá câu trả lời: Hài lòng")).to_be_visible()
    page.goto("/phan-anh/")
    expect(page.get_by_text("Từ tháng sau xã tiếp nhận")).to_be_visible()
    expect(page.get_by_text("Trần Văn Nam")).to_have_count(0)


def test_profile_details_fill_the_next_dossier(phone, online):
    from tests.portal.citizen import citizen

    page = phone
    citizen(full_name="Phạm Minh Tuấn", contact="tuan@example.vn")
    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_label("Số điện thoại hoặc thư điện tử").fill("tuan@example.vn")
    page.get_by_label("Mật khẩu").fill("Mot-cua-2026!")
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("link", name="Thông tin tài khoản").click()
    page.get_by_label("Số định danh cá nhân (CCCD) hoặc mã số thuế").fill("12ab")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Số định danh cá nhân có 12 chữ số")).to_be_visible()
    page.get_by_label("Số định danh cá nhân (CCCD) hoặc mã số thuế").fill("079300004321")
    page.get_by_label("Số điện thoại").fill("0977 123 456")
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_text("Đã lưu thông tin cá nhân.")).to_be_visible()
    page.goto(f"/thu-tuc/{online.procedure.national_code}/")
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    expect(page.get_by_label("Số định danh cá nhân (CCCD) hoặc mã số thuế")).to_have_value(
        "079300004321"
    )
    expect(page.get_by_label("Số điện thoại")).to_have_value("0977123456")


def test_rate_a_counter_dossier_from_its_lookup(phone, world):
    page = phone
    dossier = bring_to(world, State.RETURNED)
    page.goto(f"/tra-cuu/?ma={dossier.code}&dt=5678")
    page.get_by_role("link", name="Đánh giá mức độ hài lòng").click()
    expect(page.get_by_label("Mã hồ sơ")).to_have_value(dossier.code)
    page.get_by_label("4 số cuối điện thoại người nộp").fill("5678")
    page.get_by_role("button", name="Tiếp tục").click()
    for group in page.get_by_role("group").all():
        group.get_by_label("Hài lòng", exact=True).check()
    page.get_by_label("Ý kiến khác (không bắt buộc)").fill("Cán bộ hướng dẫn tận tình")
    page.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.get_by_text("Cảm ơn bạn đã đánh giá.")).to_be_visible()
    page.goto(f"/tra-cuu/danh-gia/?ma={dossier.code}&dt=5678")
    expect(page.get_by_text("Hồ sơ này đã được đánh giá. Cảm ơn bạn.")).to_be_visible()


def test_a_free_procedure_says_so_before_submitting(phone, online):
    """The review page of a procedure without fees says it is free, not that a fee will be
    announced (issue 24)."""
    from django.urls import reverse

    online.procedure.fees.all().delete()
    page = phone
    page.goto(reverse("portal:procedure_detail", args=[online.procedure.national_code]))
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    sign_up(page)
    # Signed up, the citizen lands on his new draft.
    page.wait_for_url(re.compile(r"/tai-khoan/ho-so/"))
    dossier = Dossier.objects.get(owner__isnull=False)
    page.goto(reverse("portal:review", args=[dossier.reference]))
    expect(page.get_by_role("heading", level=1)).to_have_text("Xem lại trước khi nộp")
    expect(page.get_by_text("Thủ tục này không mất phí, lệ phí.")).to_be_visible()
    expect(page.get_by_text("bạn sẽ được thông báo cách nộp")).to_have_count(0)
