"""Issue 17, point 5 in a real browser: a visitor on a phone uploads a genuine signed result
and a copy with one byte changed to the public verification page and reads the two verdicts;
then opens the "Xác thực văn bản" code of a form. axe-core finds no serious violation."""

import os
from urllib.parse import urlsplit

import pypdfium2 as pdfium
import pytest
import zxingcpp
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from motcua.dossiers import forms_pdf
from tests.portal.signed import (
    approve_with_result,
    give_the_leader_a_key,
    sign_and_hand_over,
    signed_bytes,
    tampered,
)
from tests.signing.conftest import signing_settings, test_pki, two_page_pdf  # noqa: F401

# Where a run keeps what the visitor saw (set MOTCUA_SCREENSHOTS=folder to look at them).
SHOTS = os.environ.get("MOTCUA_SCREENSHOTS", "")


def _no_serious_violations(page) -> None:
    found = Axe().run(page)
    serious = [v for v in found.response["violations"] if v["impact"] in ("serious", "critical")]
    assert not serious, found.generate_report()


def _shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def _upload(page, name: str, data: bytes) -> None:
    page.goto("/xac-thuc/")
    page.get_by_label("Tệp PDF cần kiểm tra").set_input_files(
        {"name": name, "mimeType": "application/pdf", "buffer": data}
    )
    page.get_by_role("button", name="Kiểm tra", exact=True).click()


@pytest.fixture
def issued(world, test_pki, signing_settings, two_page_pdf):  # noqa: F811
    give_the_leader_a_key(world, test_pki)
    return sign_and_hand_over(world, approve_with_result(world, two_page_pdf))


def test_a_visitor_tells_a_genuine_result_from_a_tampered_copy(phone, issued):
    genuine = signed_bytes(issued)
    phone.goto("/xac-thuc/")
    expect(phone.get_by_role("heading", level=1)).to_have_text("Xác thực văn bản")
    _no_serious_violations(phone)

    _upload(phone, "ket-qua.pdf", genuine)
    verdict = phone.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-verdict", "genuine")
    expect(verdict).to_contain_text("Văn bản do hệ thống phát hành, chưa bị thay đổi")
    expect(verdict).to_contain_text("Thủ tục thử nghiệm liên thông")
    expect(verdict).to_contain_text("UBND xã Thử")
    expect(verdict).to_contain_text("Đặng Quốc Hùng")
    expect(verdict.get_by_test_id("signature")).to_have_attribute("data-status", "valid")
    expect(verdict).not_to_contain_text("Nguyễn Văn Bình")
    _no_serious_violations(phone)
    _shot(phone, "verify-genuine")

    _upload(phone, "ban-sao.pdf", tampered(genuine))
    verdict = phone.get_by_test_id("verdict")
    expect(verdict).to_have_attribute("data-verdict", "not-issued")
    expect(verdict).to_contain_text(
        "Không phải văn bản do hệ thống phát hành, hoặc đã bị thay đổi sau khi phát hành"
    )
    signature = verdict.get_by_test_id("signature")
    expect(signature).to_have_attribute("data-status", "invalid")
    expect(signature).to_contain_text("Chữ ký số không hợp lệ")
    expect(signature).to_contain_text("Nội dung đã bị thay đổi")
    _no_serious_violations(phone)
    _shot(phone, "verify-tampered")

    _upload(phone, "anh.pdf", b"")
    expect(phone.get_by_test_id("verdict")).to_contain_text("Không kiểm tra được tệp này")
    _no_serious_violations(phone)
    _shot(phone, "verify-empty")


def test_a_visitor_scans_the_code_of_a_form(phone, world):
    pdf = forms_pdf.render_form("01", world.receive())
    image = pdfium.PdfDocument(pdf)[0].render(scale=3).to_pil()
    codes = [c.text for c in zxingcpp.read_barcodes(image) if "/xac-thuc/ma/" in c.text]
    assert len(codes) == 1
    path = urlsplit(codes[0]).path
    phone.goto(path)
    verdict = phone.get_by_test_id("verdict")
    expect(verdict).to_contain_text("Mẫu 01 của hồ sơ được hệ thống phát hành lúc")
    expect(verdict).to_contain_text("UBND xã Thử")
    _no_serious_violations(phone)
    _shot(phone, "verify-form-code")
    token = path.rstrip("/").rsplit("/", 1)[1]
    phone.goto(f"/xac-thuc/ma/{token[:-1]}{'A' if token[-1] != 'A' else 'B'}/")
    expect(phone.get_by_test_id("verdict")).to_contain_text("Mã xác thực không hợp lệ")
    _no_serious_violations(phone)
    _shot(phone, "verify-form-code-forged")
