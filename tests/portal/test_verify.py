"""The public verification page (issue 17, point 5): a result motcua issued is recognised by
its bytes, with who signed it; a changed copy, a stranger's signature and bad files are told
apart; a form's "Xác thực văn bản" code names its form, time, agency and procedure; nothing
personal ever shows, nothing is stored, and uploads are rate-limited per address."""

import io
from datetime import datetime
from urllib.parse import urlsplit

import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from motcua.dossiers import forms_pdf
from motcua.dossiers.lifecycle import State
from motcua.dossiers.models import DossierEvent, DossierFile
from motcua.dossiers.services import results
from motcua.signing.models import KeyKind, SigningIdentity
from motcua.signing.pades import sign_pdf
from tests.portal.signed import (
    approve_with_result,
    give_the_leader_a_key,
    sign_and_hand_over,
    signed_bytes,
    tampered,
)
from tests.signing.conftest import signing_settings, test_pki, two_page_pdf  # noqa: F401

pytestmark = pytest.mark.django_db

VERIFY = reverse("portal:verify")
# The applicant of world.receive(): none of it may show on a public page.
PERSONAL = ("Nguyễn Văn Bình", "0912345678", "079123456789", "binh@example.vn")
GENUINE = "Văn bản do hệ thống phát hành, chưa bị thay đổi"
NOT_ISSUED = "Không phải văn bản do hệ thống phát hành, hoặc đã bị thay đổi sau khi phát hành"


@pytest.fixture
def leader_key(world, test_pki, signing_settings):  # noqa: F811
    return give_the_leader_a_key(world, test_pki)


@pytest.fixture
def issued(world, leader_key, two_page_pdf):  # noqa: F811
    """A dossier whose result the leader signed and the counter registered as ready."""
    return sign_and_hand_over(world, approve_with_result(world, two_page_pdf))


def _post(client, data: bytes, name="van-ban.pdf", **extra):
    upload = SimpleUploadedFile(name, data, content_type="application/pdf")
    return client.post(VERIFY, {"tep": upload}, **extra)


def _text(answer) -> str:
    return " ".join(answer.content.decode().split())


def _nothing_personal(page: str, dossier) -> None:
    for secret in (*PERSONAL, dossier.code, str(dossier.reference)):
        assert secret not in page, secret


def test_the_page_asks_for_a_pdf_with_a_csrf_protected_form(client):
    page = client.get(VERIFY)
    assert page.status_code == 200
    text = _text(page)
    assert "Xác thực văn bản" in text and 'name="tep"' in text and "tối đa 20 MB" in text
    assert "csrfmiddlewaretoken" in text
    strict = type(client)(enforce_csrf_checks=True)
    refused = strict.post(VERIFY, {"tep": SimpleUploadedFile("a.pdf", b"%PDF-1.4\n")})
    assert refused.status_code == 403


def test_a_genuine_signed_result_is_recognised_with_its_signer(client, issued):
    answer = _post(client, signed_bytes(issued))
    assert answer.status_code == 200
    page = _text(answer)
    assert GENUINE in page and 'data-verdict="genuine"' in page
    assert "Thủ tục thử nghiệm liên thông" in page  # the procedure
    assert "UBND xã Thử" in page  # the agency that issued it
    stored = results.current_results(issued).get()
    assert timezone.localtime(stored.uploaded_at).strftime("%d/%m/%Y") in page
    assert "Đặng Quốc Hùng" in page and "Phó Giám đốc" in page
    assert "Chữ ký số hợp lệ" in page and "Toàn bộ văn bản" in page
    _nothing_personal(page, issued)


def test_the_unsigned_draft_it_replaced_is_recognised_as_an_earlier_version(
    client,
    issued,
    two_page_pdf,  # noqa: F811
):
    page = _text(_post(client, two_page_pdf))
    assert GENUINE in page and "phiên bản mới hơn" in page
    assert "Văn bản không có chữ ký số." in page


def test_a_copy_with_one_byte_changed_is_not_issued_and_its_signature_is_invalid(client, issued):
    answer = _post(client, tampered(signed_bytes(issued)))
    assert answer.status_code == 200
    page = _text(answer)
    assert NOT_ISSUED in page and GENUINE not in page
    assert 'data-status="invalid"' in page and "Chữ ký số không hợp lệ" in page
    assert "Nội dung đã bị thay đổi" in page and "Đặng Quốc Hùng" in page
    _nothing_personal(page, issued)


def test_a_pdf_signed_under_an_untrusted_root_says_so(
    client,
    world,
    test_pki,  # noqa: F811
    signing_settings,  # noqa: F811
    two_page_pdf,  # noqa: F811
):
    stranger = SigningIdentity(kind=KeyKind.PKCS12, config=test_pki.p12_config("stranger"))
    signed = sign_pdf(two_page_pdf, stranger, stamp=None, level="B-T").pdf
    page = _text(_post(client, signed))
    assert NOT_ISSUED in page
    assert 'data-status="untrusted"' in page and "Chữ ký số chưa được tin cậy" in page
    assert "Người Lạ" in page and "Không xác định được tổ chức chứng thực tin cậy" in page
    assert "Nội dung không bị thay đổi" in page


def test_an_unsigned_pdf_that_was_never_issued(client, world, signing_settings, two_page_pdf):  # noqa: F811
    page = _text(_post(client, two_page_pdf + b"\n% another\n"))
    assert NOT_ISSUED in page and "Tệp không có chữ ký số." in page


def test_a_result_still_being_processed_was_not_issued(
    client,
    world,
    leader_key,
    two_page_pdf,  # noqa: F811
):
    dossier = approve_with_result(world, two_page_pdf)  # attached, not yet handed over
    assert dossier.state == State.PROCESSING
    page = _text(_post(client, two_page_pdf))
    assert NOT_ISSUED in page and GENUINE not in page


def _encrypted_pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(user_password="mat-khau", owner_password="chu-so-huu")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("body", "name", "expected"),
    [
        (b"", "rong.pdf", "rỗng"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "anh.png", "không đúng loại được nhận (PDF)"),
        (b"Xin chao, day khong phai PDF", "thu.txt", "không đúng loại được nhận (PDF)"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 8, "hong.pdf", "Không đọc được tệp PDF"),
        (None, "mat-khau.pdf", "Tệp PDF có mật khẩu"),
    ],
    ids=["empty", "png", "text", "garbage", "encrypted"],
)
def test_bad_files_get_a_clear_message_and_change_nothing(client, issued, body, name, expected):
    files, events = DossierFile.objects.count(), DossierEvent.objects.count()
    answer = _post(client, _encrypted_pdf() if body is None else body, name=name)
    assert answer.status_code == 400
    page = _text(answer)
    assert "Không kiểm tra được tệp này" in page and expected in page
    assert GENUINE not in page and NOT_ISSUED not in page
    _nothing_personal(page, issued)
    assert (DossierFile.objects.count(), DossierEvent.objects.count()) == (files, events)


def test_too_large_and_missing_files(client, settings, world):
    settings.MOTCUA = {**settings.MOTCUA, "MAX_UPLOAD_MB": 1}
    big = _post(client, b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 1), name="lon.pdf")
    assert big.status_code == 400 and "lớn quá 1 MB" in _text(big)
    none = client.post(VERIFY, {})
    assert none.status_code == 400 and "Chọn tệp PDF cần kiểm tra." in _text(none)


def test_uploads_are_rate_limited_per_address(client, settings, world):
    settings.MOTCUA = {**settings.MOTCUA, "VERIFY_PER_MINUTE": 3}
    for _ in range(3):
        assert _post(client, b"").status_code == 400
    refused = _post(client, b"")
    assert refused.status_code == 429
    assert "quá nhiều lượt kiểm tra" in _text(refused)
    # Another address is not held back by this one.
    assert _post(client, b"", REMOTE_ADDR="10.1.2.3").status_code == 400


def test_the_page_in_english(client, issued):
    page = client.get("/en/xac-thuc/")
    assert page.status_code == 200
    text = _text(page)
    assert "Document verification" in text and "Check" in text
    answer = _text(client.post("/en/xac-thuc/", {"tep": SimpleUploadedFile("t.pdf", b"")}))
    assert "This file could not be checked" in answer
    genuine = _text(
        client.post(
            "/en/xac-thuc/",
            {"tep": SimpleUploadedFile("kq.pdf", signed_bytes(issued))},
        )
    )
    assert "Issued by this system and unchanged since" in genuine and "Đặng Quốc Hùng" in genuine


# --- the "Xác thực văn bản" code of a form ---------------------------------------------------


def _qr_codes(pdf: bytes) -> list[str]:
    image = pdfium.PdfDocument(pdf)[0].render(scale=3).to_pil()
    return [code.text for code in zxingcpp.read_barcodes(image)]


def _verify_path(pdf: bytes) -> str:
    found = [c for c in _qr_codes(pdf) if "/xac-thuc/ma/" in c]
    assert len(found) == 1, _qr_codes(pdf)
    return urlsplit(found[0]).path


def test_every_form_of_a_dossier_prints_both_codes(settings, tmp_path, world):
    settings.MEDIA_ROOT = tmp_path
    from motcua.dossiers.selectors import lookup_url

    dossier = world.receive()
    for number in ("01", "06"):
        pdf = forms_pdf.render_form(number, dossier)
        codes = _qr_codes(pdf)
        assert lookup_url(dossier) in codes  # the lookup QR stays
        assert _verify_path(pdf).startswith("/xac-thuc/ma/")
        assert "Xác thực văn bản" in _pdf_text(pdf)


def _pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def test_a_forms_code_names_the_form_its_time_agency_and_procedure(client, world):
    dossier = world.receive()
    with CaptureQueriesContext(connection) as queries:
        pdf = forms_pdf.render_form("01", dossier)
    writes = [q["sql"] for q in queries if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")]
    assert writes == []  # rendering a form stores nothing
    page = client.get(_verify_path(pdf))
    assert page.status_code == 200
    text = _text(page)
    assert "Mã xác thực hợp lệ" in text
    assert "Mẫu 01 của hồ sơ được hệ thống phát hành lúc" in text
    assert "UBND xã Thử" in text and "Thủ tục thử nghiệm liên thông" in text
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in text
    _nothing_personal(text, dossier)


def test_the_time_printed_is_the_time_the_form_was_rendered(client, world):
    dossier = world.receive()
    at = timezone.make_aware(datetime(2026, 3, 10, 9, 15))
    token = forms_pdf.verification_token(dossier, "05", at)
    text = _text(client.get(reverse("portal:verify_token", args=[token])))
    assert "Mẫu 05 của hồ sơ được hệ thống phát hành lúc 09:15 10/03/2026" in text


def test_forged_and_garbled_codes_are_refused(client, world):
    dossier = world.receive()
    token = forms_pdf.verification_token(dossier, "01")
    value, _sig = token.rsplit(":", 1)
    other = forms_pdf.verification_token(world.receive(), "01").rsplit(":", 1)[1]
    forged = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # one character of the signature
        value.replace(".01.", ".03.") + ":" + _sig,  # another form, the same signature
        f"{value}:{other}",  # another dossier's signature
        signing.Signer(salt="another.salt").sign(value),  # signed for something else
        signing.Signer(salt="motcua.verify").sign("not-a-uuid.01.1"),
        "abc",
        "x" * 500,
    ]
    for bad in forged:
        answer = client.get(reverse("portal:verify_token", args=[bad]))
        assert answer.status_code == 404, bad
        text = _text(answer)
        assert "Mã xác thực không hợp lệ" in text and "phát hành lúc" not in text
        _nothing_personal(text, dossier)
