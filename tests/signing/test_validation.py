"""Validation of uploaded PDFs never raises and says what it found, in Vietnamese."""

import io
import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from motcua.signing import pades
from motcua.signing.keys import key_source
from motcua.signing.validation import validate_pdf

pytestmark = pytest.mark.usefixtures("signing_settings")


def _encrypted(data: bytes, user_password: str) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=user_password, owner_password="chu-so-huu")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "0 byte"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "không phải là tệp PDF"),
        (b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage", "hỏng"),
        (b"%PDF-1.4\n" + b"\xff" * 4096, "hỏng"),
    ],
)
def test_bad_files_get_a_clear_message(data, words):
    result = validate_pdf(data)
    assert result.status == "unreadable"
    assert words in result.message and result.summary == result.message
    json.dumps(result.as_dict())


def test_a_file_too_large_is_not_read(signing_settings):
    signing_settings["VALIDATE_MAX_MB"] = 1
    result = validate_pdf(b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 1))
    assert result.status == "unreadable" and "quá lớn" in result.message


def test_a_password_protected_pdf_is_unreadable_but_one_only_locked_against_changes_is_read(
    two_page_pdf,
):
    locked = validate_pdf(_encrypted(two_page_pdf, "mat-khau"))
    assert locked.status == "unreadable" and "mật khẩu" in locked.message

    restricted = validate_pdf(_encrypted(two_page_pdf, ""))
    assert restricted.status == "none"


def test_an_unsigned_pdf_has_no_signature(two_page_pdf):
    result = validate_pdf(two_page_pdf)
    assert (result.status, result.signatures) == ("none", [])
    assert result.summary == "Tệp không có chữ ký số."
    assert len(result.sha256) == 64 and result.size == len(two_page_pdf)


def test_a_cut_off_signed_file_does_not_validate(test_pki, two_page_pdf):
    signed = pades.sign_pdf(
        two_page_pdf, key_source("pkcs12", test_pki.p12_config("leader")), level="B-T"
    )
    result = validate_pdf(signed.pdf[: len(signed.pdf) * 2 // 3])
    assert result.status in ("unreadable", "invalid", "none")
    assert result.status != "valid"


def test_the_result_is_json_with_every_detail(test_pki, two_page_pdf):
    signed = pades.sign_pdf(
        two_page_pdf, key_source("pkcs12", test_pki.p12_config("leader")), level="B-LT"
    )
    data = json.loads(json.dumps(validate_pdf(signed.pdf).as_dict()))

    assert data["status"] == "valid" and data["sha256"] == signed.sha256_after
    (signature,) = data["signatures"]
    assert signature["subject"].startswith("CN=Đặng Quốc Hùng")
    assert signature["signer_unit"] == "Sở Tư pháp tỉnh Long An"
    assert signature["certificate_serial"] == signed.certificate_serial
    assert signature["signing_time"].endswith("+07:00")
    assert signature["revocation"] == "good"
    assert signature["time_from_timestamp"] is True


def test_a_revoked_certificate_makes_the_signature_invalid(test_pki, two_page_pdf):
    signed = pades.sign_pdf(
        two_page_pdf, key_source("pkcs12", test_pki.p12_config("revoked")), level="B-T"
    )
    # Revoked an hour before it signed: the key was reported lost.
    test_pki.dev.refresh_crls(
        revoked=[test_pki.revoked.certificate.serial_number],
        revoked_at=signed.signing_time - timedelta(hours=1),
    )

    result = validate_pdf(signed.pdf)

    assert result.status == "invalid"
    (signature,) = result.signatures
    assert signature.revocation == "revoked" and signature.revoked_at is not None
    assert "thu hồi" in result.summary


def test_the_time_budget_bounds_the_work(test_pki, two_page_pdf, signing_settings):
    signed = pades.sign_pdf(
        two_page_pdf, key_source("pkcs12", test_pki.p12_config("leader")), level="B-T"
    )
    signing_settings["VALIDATE_SECONDS"] = 0
    result = validate_pdf(signed.pdf)
    assert result.status == "untrusted"
    assert "Chưa kiểm tra" in result.signatures[0].summary


@hypothesis_settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=400))
def test_garbage_after_a_pdf_header_never_raises(tail):
    result = validate_pdf(b"%PDF-1.7\n" + tail)
    assert result.status in ("unreadable", "none")
    assert result.summary


def test_a_missing_trust_root_file_makes_signatures_untrusted_not_the_file_unreadable(
    test_pki, two_page_pdf, signing_settings
):
    signed = pades.sign_pdf(
        two_page_pdf, key_source("pkcs12", test_pki.p12_config("leader")), level="B-T"
    )
    signing_settings["TRUST_ROOTS"] = ["/etc/motcua/trust/khong-co.pem"]
    result = validate_pdf(signed.pdf)
    assert result.status == "untrusted" and result.signatures[0].intact
