"""Fees on a phone and at the counter: a citizen pays online through the gateway (motcua's
development gateway speaking VNPay's protocol) and sees it on the dossier; an officer records
a fee paid in cash on the staff page; the new pages pass axe-core."""

import re

from playwright.sync_api import expect

from motcua.dossiers import services
from motcua.org.models import Role
from motcua.payments.models import Payment
from tests.browser.test_accessibility import serious
from tests.world import pdf_upload


def _received_online(world):
    from tests.portal.citizen import citizen, online_world

    online_world(world)
    user = citizen()
    draft = services.dossier_create_draft(
        owner=user,
        procedure=world.procedure,
        agency=world.commune_ubnd,
        applicant={"name": "Lê Thị Hoa", "phone": "0903111222"},
        files=[(world.procedure.components.first().pk, pdf_upload("to-khai.pdf"))],
    )
    services.dossier_submit(actor=user, dossier=draft)
    return services.dossier_receive(
        actor=world.staff[Role.RECEPTION_OFFICER], dossier=draft
    ).dossier


def test_a_citizen_pays_the_fee_online_from_a_phone(phone, world):
    page = phone
    dossier = _received_online(world)
    page.goto("/tai-khoan/dang-nhap/")
    page.get_by_label("Số điện thoại hoặc thư điện tử").fill("0903111222")
    page.get_by_label("Mật khẩu").fill("Mot-cua-2026!")
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"/tai-khoan/ho-so/{dossier.reference}/")
    fees = page.get_by_role("region", name="Phí, lệ phí")
    expect(fees).to_contain_text("Còn phải nộp")
    expect(fees).to_contain_text("20.000 đ")
    assert serious(page) == []

    # First try: cancelled at the gateway.
    fees.get_by_role("button", name=re.compile("Thanh toán trực tuyến")).click()
    expect(page.get_by_role("heading", name="Cổng thanh toán thử nghiệm")).to_be_visible()
    page.get_by_role("button", name="Hủy giao dịch").click()
    expect(page.get_by_role("heading", name="Thanh toán không thành công")).to_be_visible()
    expect(page.get_by_text("Khách hàng hủy giao dịch")).to_be_visible()
    page.get_by_role("link", name="Về trang hồ sơ").click()

    # Second try: paid.
    fees = page.get_by_role("region", name="Phí, lệ phí")
    fees.get_by_role("button", name=re.compile("Thanh toán trực tuyến")).click()
    expect(page.get_by_text("20.000 đ")).to_be_visible()
    assert serious(page) == []
    page.get_by_role("button", name="Xác nhận thanh toán").click()
    expect(page.get_by_role("heading", name="Đã thanh toán phí, lệ phí")).to_be_visible()
    assert serious(page) == []
    page.get_by_role("link", name="Về trang hồ sơ").click()
    fees = page.get_by_role("region", name="Phí, lệ phí")
    expect(
        fees.get_by_role("listitem").filter(
            has_text=re.compile(r"Thanh toán trực tuyến[\s\S]*Đã thanh toán")
        )
    ).to_be_visible()
    expect(fees.get_by_role("listitem").filter(has_text="Không thành công")).to_be_visible()
    expect(fees.get_by_role("button", name=re.compile("Thanh toán trực tuyến"))).to_have_count(0)
    expect(page.locator(".timeline")).to_contain_text("Thanh toán phí, lệ phí trực tuyến")
    paid = Payment.objects.get(status=Payment.Status.PAID)
    assert (paid.method, paid.amount) == ("online", 20000)


def test_an_officer_records_a_fee_paid_in_cash(browser, live_server, world):
    dossier = world.receive()
    officer = world.staff[Role.RECEPTION_OFFICER]
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, locale="vi-VN", base_url=live_server.url
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto("/can-bo/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(officer.username)
    page.get_by_label("Mật khẩu").fill("mat-khau-thu-123")
    page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"/can-bo/ho-so/{dossier.code}/")
    fees = page.get_by_role("region", name="Phí, lệ phí")
    expect(fees.get_by_label("Số tiền đã thu (đồng)")).to_have_value("20000")
    fees.get_by_label("Số tiền đã thu (đồng)").fill("30000")
    fees.get_by_role("button", name="Ghi nhận đã thu phí").click()
    expect(page.get_by_text("Số tiền vượt quá khoản còn phải nộp (20.000 đ).")).to_be_visible()
    fees = page.get_by_role("region", name="Phí, lệ phí")
    fees.get_by_label("Số tiền đã thu (đồng)").fill("20000")
    fees.get_by_label("Số biên lai (nếu có)").fill("0042")
    fees.get_by_role("button", name="Ghi nhận đã thu phí").click()
    expect(page.get_by_text("Đã ghi nhận thu 20.000 đ.")).to_be_visible()
    fees = page.get_by_role("region", name="Phí, lệ phí")
    expect(
        fees.get_by_role("listitem").filter(has_text="Tiền mặt tại quầy — biên lai 0042")
    ).to_be_visible()
    expect(fees.get_by_role("button", name="Ghi nhận đã thu phí")).to_have_count(0)
    expect(page.get_by_text("Nộp phí, lệ phí tại quầy", exact=True)).to_be_visible()
    assert serious(page) == []
    context.close()
