"""PAdES signatures with a PKCS#12 key: what a signed result carries and how it validates."""

import hashlib
import io
import re
import subprocess

import pytest
from django.template.loader import render_to_string

from motcua.dossiers.forms_pdf import html_to_pdf, qr_data_uri
from motcua.signing import pades
from motcua.signing.errors import CertificateRefused, PdfNotSignable, TimestampUnavailable
from motcua.signing.keys import key_source
from motcua.signing.placement import MM, find_marker
from motcua.signing.stamp import StampInfo, seal_png
from motcua.signing.validation import validate_pdf

from .helpers import flip_byte, pdf_text, reader

pytestmark = pytest.mark.usefixtures("signing_settings")
STAMP_TIME = re.compile(r"Thời gian ký: \d\d/\d\d/\d{4} \d\d:\d\d:\d\d \+07:00")


def key(test_pki, name="leader"):
    return key_source("pkcs12", test_pki.p12_config(name))


def leader_stamp(image: bytes | None = None) -> StampInfo:
    return StampInfo(
        signed_by="Sở Tư pháp tỉnh Long An",
        signer_name="Đặng Quốc Hùng",
        signer_title="Phó Giám đốc",
        image=image,
    )


def test_a_pkcs12_signature_is_intact_valid_and_trusted(test_pki, two_page_pdf):
    signed = pades.sign_pdf(
        two_page_pdf, key(test_pki), reason="Phê duyệt kết quả", location="Long An", level="B-T"
    )

    assert signed.sha256_before == hashlib.sha256(two_page_pdf).hexdigest()
    assert signed.sha256_after == hashlib.sha256(signed.pdf).hexdigest()
    assert signed.certificate_serial == test_pki.leader.serial_hex
    assert signed.subject.startswith("CN=Đặng Quốc Hùng, T=Phó Giám đốc")
    assert signed.signing_time.utcoffset().total_seconds() == 7 * 3600
    assert signed.timestamp_time is not None
    assert signed.as_dict()["sha256_before"] == signed.sha256_before

    result = validate_pdf(signed.pdf)
    assert result.status == "valid", result.summary
    (signature,) = result.signatures
    assert (signature.intact, signature.valid, signature.trusted) == (True, True, True)
    assert signature.coverage == "whole"
    assert signature.certificate_serial == test_pki.leader.serial_hex
    assert signature.signer_name == "Đặng Quốc Hùng"
    assert signature.time_from_timestamp
    assert signature.level == "B-T"
    assert "Đặng Quốc Hùng" in result.summary and "hợp lệ" in result.summary


def test_b_lt_embeds_certificates_and_crls_in_the_dss(test_pki, two_page_pdf):
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    signed = pades.sign_pdf(two_page_pdf, key(test_pki), level="B-LT")

    dss = DocumentSecurityStore.read_dss(reader(signed.pdf))
    assert len(dss.certs) >= 3  # the signer's chain and the TSA's
    assert dss.crls  # both CAs' CRLs, from the files: nothing fetched
    (signature,) = validate_pdf(signed.pdf).signatures
    assert signature.status == "valid"
    assert signature.level == "B-LT"
    assert signature.revocation == "good"


def test_b_lta_adds_a_document_timestamp(test_pki, two_page_pdf):
    signed = pades.sign_pdf(two_page_pdf, key(test_pki), level="B-LTA")

    kinds = [s.sig_object_type for s in reader(signed.pdf).embedded_signatures]
    assert kinds == ["/Sig", "/DocTimeStamp"]
    result = validate_pdf(signed.pdf)
    assert result.status == "valid"
    assert result.document_timestamps == 1
    assert result.signatures[0].level == "B-LTA"


def test_a_byte_changed_after_signing_fails_validation(test_pki, two_page_pdf):
    signed = pades.sign_pdf(two_page_pdf, key(test_pki), level="B-T")

    tampered = flip_byte(signed.pdf, b"/MediaBox")

    result = validate_pdf(tampered)
    assert result.status == "invalid"
    assert not result.signatures[0].intact
    assert "thay đổi" in result.summary


def test_content_added_after_signing_is_reported_as_modified(test_pki, two_page_pdf):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    signed = pades.sign_pdf(two_page_pdf, key(test_pki), level="B-T")
    writer = IncrementalPdfFileWriter(io.BytesIO(signed.pdf))
    text = generic.StreamObject(stream_data=b"BT /F1 24 Tf 100 700 Td (Da sua) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(text))
    out = io.BytesIO()
    writer.write(out)

    result = validate_pdf(out.getvalue())
    assert result.status == "modified"
    (signature,) = result.signatures
    assert signature.intact and signature.valid
    assert signature.coverage == "partial" and signature.modified_after_signing
    assert "sửa đổi sau khi ký" in result.summary


def test_a_certificate_without_non_repudiation_is_refused(test_pki, two_page_pdf):
    with pytest.raises(CertificateRefused) as refused:
        pades.sign_pdf(two_page_pdf, key(test_pki, "no-nr"))

    assert isinstance(refused.value, ValueError)
    message = str(refused.value)
    assert "Lê Văn Tám" in message and "chống chối bỏ" in message and "nonRepudiation" in message


def test_a_signature_under_an_unknown_root_is_untrusted(test_pki, two_page_pdf):
    signed = pades.sign_pdf(two_page_pdf, key(test_pki, "stranger"), level="B-T")

    result = validate_pdf(signed.pdf)
    assert result.status == "untrusted"
    (signature,) = result.signatures
    assert signature.intact and signature.valid and not signature.trusted
    assert "không được tin cậy" in result.summary


def test_trust_roots_given_replace_the_configured_ones(test_pki, two_page_pdf):
    signed = pades.sign_pdf(two_page_pdf, key(test_pki), level="B-T")

    assert validate_pdf(signed.pdf, trust_roots=[test_pki.stranger_root.certificate]).status == (
        "untrusted"
    )
    assert validate_pdf(signed.pdf, trust_roots=[test_pki.dev.root_path.read_bytes()]).status == (
        "valid"
    )


def test_b_lt_refuses_a_certificate_that_does_not_chain_to_a_trusted_root(test_pki, two_page_pdf):
    with pytest.raises(CertificateRefused) as refused:
        pades.sign_pdf(two_page_pdf, key(test_pki, "stranger"), level="B-LT")
    assert "chứng thư gốc tin cậy" in str(refused.value)


def test_the_visible_stamp_says_who_signed_and_when(test_pki, two_page_pdf):
    seal = seal_png("Sở Tư pháp tỉnh Long An", center="STP")
    signed = pades.sign_pdf(two_page_pdf, key(test_pki), stamp=leader_stamp(seal), level="B-T")

    assert signed.page == 1  # the last page
    text = pdf_text(signed.pdf)
    assert "Ký bởi: Sở Tư pháp tỉnh Long An" in text
    assert "Đặng Quốc Hùng – Phó Giám đốc" in text
    assert STAMP_TIME.search(text)
    assert signed.signing_time.strftime("%d/%m/%Y %H:%M:%S") in text

    # The stamp is drawn: the seal's red at its left, the blue ink of the text at its right.
    from PIL import Image

    x1, y1, x2, y2 = signed.box
    png = subprocess.run(
        ["pdftoppm", "-r", "72", "-f", "2", "-l", "2", "-png", "-"],
        input=signed.pdf,
        capture_output=True,
        check=True,
    ).stdout
    page = Image.open(io.BytesIO(png)).convert("RGB")
    top = page.height - y2
    box = page.crop((x1, top, x2, top + (y2 - y1)))
    colours = box.getcolors(box.width * box.height)
    red = sum(n for n, (r, g, b) in colours if r > 150 and g < 90 and b < 90)
    blue = sum(n for n, (r, g, b) in colours if b > 80 and r < 80 and g < 90)
    assert red > 100 and blue > 100


def _form_04() -> bytes:
    html = render_to_string(
        "dossiers/forms/04.html",
        {
            "form_title": "THƯ XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
            "agency_name": "SỞ TƯ PHÁP",
            "governing": "UBND TỈNH LONG AN",
            "code": "000.00.12.H39-260310-0001",
            "date_line": "Long An, ngày 10 tháng 3 năm 2026",
            "qr": qr_data_uri("http://127.0.0.1:8000/tra-cuu/"),
            "lookup_url": "http://127.0.0.1:8000/tra-cuu/",
            "dossier": {"applicant_name": "Nguyễn Thị Hằng"},
            "agency": {"name": "Sở Tư pháp"},
            "reasons": "Cần xác minh thêm.",
            "new_appointment": "16:00 ngày 20/3/2026",
            "signer": "Đặng Quốc Hùng",
        },
    )
    return html_to_pdf(html)


def test_the_stamp_takes_the_signature_block_of_a_rendered_form(test_pki):
    form = _form_04()
    marker = find_marker(reader(form))
    assert marker is not None and marker.page == 0
    x1, y1, x2, y2 = marker.box
    assert abs((x2 - x1) - 76 * MM) < 2 and abs((y2 - y1) - 16 * MM) < 2

    signed = pades.sign_pdf(form, key(test_pki), stamp=leader_stamp(), level="B-T")

    assert (signed.page, signed.box) == (marker.page, marker.box)
    assert find_marker(reader(signed.pdf)) is None  # the marker link is gone
    text = pdf_text(signed.pdf)
    # Between the hint and the printed name, where a hand would sign.
    assert text.index("(Ký, ghi rõ họ tên và đóng dấu)") < text.index("Ký bởi: Sở Tư pháp")
    assert text.index("Ký bởi: Sở Tư pháp") < text.rindex("Đặng Quốc Hùng")
    assert validate_pdf(signed.pdf).status == "valid"


def test_without_a_block_the_stamp_goes_bottom_right_and_a_second_one_above(test_pki, two_page_pdf):
    first = pades.sign_pdf(two_page_pdf, key(test_pki), stamp=leader_stamp(), level="B-T")
    seal = StampInfo(signed_by="Sở Tư pháp tỉnh Long An", image=seal_png("Sở Tư pháp"))
    second = pades.sign_pdf(first.pdf, key(test_pki, "seal"), stamp=seal, level="B-T")

    width = float(reader(two_page_pdf).root["/Pages"]["/Kids"][1]["/MediaBox"][2])
    assert abs(first.box[2] - (width - 15 * MM)) < 2 and first.box[1] < 80
    assert second.box[1] >= first.box[3]  # stacked, not on top of the first
    assert second.field_name != first.field_name
    result = validate_pdf(second.pdf)
    assert result.status == "valid", result.summary
    assert [s.signer_name for s in result.signatures] == [
        "Đặng Quốc Hùng",
        "Sở Tư pháp tỉnh Long An",
    ]
    assert result.signatures[0].coverage == "whole"  # later: only a signature was added


def test_an_invisible_signature_has_no_stamp(test_pki, two_page_pdf):
    signed = pades.sign_pdf(two_page_pdf, key(test_pki), stamp=None, level="B-T")

    assert signed.page == -1 and signed.box is None
    assert "Ký bởi" not in pdf_text(signed.pdf)
    assert validate_pdf(signed.pdf).status == "valid"


def test_what_is_not_a_signable_pdf_is_refused_with_a_message(test_pki, two_page_pdf):
    from pypdf import PdfReader, PdfWriter

    for data, words in (
        (b"", "rỗng"),
        (b"GIF89a not a pdf", "không phải là tệp PDF"),
        (b"%PDF-1.7\n garbage", "hỏng"),
    ):
        with pytest.raises(PdfNotSignable) as refused:
            pades.sign_pdf(data, key(test_pki))
        assert words in str(refused.value)

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(two_page_pdf)))
    writer.encrypt(user_password="mat-khau", owner_password="chu")
    encrypted = io.BytesIO()
    writer.write(encrypted)
    with pytest.raises(PdfNotSignable, match="mật khẩu"):
        pades.sign_pdf(encrypted.getvalue(), key(test_pki))


def test_a_batch_signs_every_good_document_and_reports_the_bad_one(test_pki, two_page_pdf):
    seen = []
    outcomes = pades.sign_pdfs(
        pades.requests_for([two_page_pdf, b"not a pdf", two_page_pdf], reason="Ký hàng loạt"),
        key(test_pki),
        level="B-T",
        on_progress=seen.append,
    )

    assert [o.ok for o in outcomes] == [True, False, True]
    assert "không phải là tệp PDF" in outcomes[1].error
    assert sorted(o.index for o in seen) == [0, 1, 2]
    assert all(validate_pdf(o.signed.pdf).status == "valid" for o in outcomes if o.ok)


def test_a_refused_key_fails_every_document_of_the_batch(test_pki, two_page_pdf):
    outcomes = pades.sign_pdfs(pades.requests_for([two_page_pdf] * 2), key(test_pki, "no-nr"))
    assert [o.ok for o in outcomes] == [False, False]
    assert all("chống chối bỏ" in o.error for o in outcomes)


def test_production_without_a_timestamp_authority_refuses_to_sign(test_pki, two_page_pdf, settings):
    settings.ENVIRONMENT = "production"
    with pytest.raises(TimestampUnavailable, match="MOTCUA_SIGNING_TSA_URL"):
        pades.sign_pdf(two_page_pdf, key(test_pki))


@pytest.fixture
def http_tsa(test_pki):
    """A timestamp authority over HTTP on 127.0.0.1, answering with real RFC 3161 tokens."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from asn1crypto import tsp

    from motcua.signing.tsa import LocalTimeStamper

    stamper = LocalTimeStamper(
        test_pki.dev.tsa().certificate,
        test_pki.dev.tsa_key_path.read_bytes(),
        [test_pki.dev.intermediate().certificate],
    )
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(self.headers["Content-Type"])
            answer = stamper.request_tsa_response(tsp.TimeStampReq.load(body)).dump()
            self.send_response(200)
            self.send_header("Content-Type", "application/timestamp-reply")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/tsa", seen
    server.shutdown()
    server.server_close()


def test_a_configured_timestamp_authority_is_asked_over_http(
    test_pki, two_page_pdf, http_tsa, signing_settings
):
    url, seen = http_tsa
    signing_settings["TSA_URL"] = url

    signed = pades.sign_pdf(two_page_pdf, key(test_pki), level="B-LTA")

    assert seen and set(seen) == {"application/timestamp-query"}
    result = validate_pdf(signed.pdf)
    assert result.status == "valid" and result.signatures[0].time_from_timestamp


def test_an_unreachable_timestamp_authority_is_reported(test_pki, two_page_pdf, signing_settings):
    signing_settings["TSA_URL"] = "http://127.0.0.1:9/tsa"
    with pytest.raises(TimestampUnavailable, match="dấu thời gian"):
        pades.sign_pdf(two_page_pdf, key(test_pki), level="B-T")
