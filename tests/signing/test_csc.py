"""Remote signing over the CSC API v2, against a local CSC service (csc_server.py): the
signer approves on the phone (HTTP 202, then authorizeCheck), or refuses, or never answers."""

import base64

import pytest

from motcua.signing import pades
from motcua.signing.csc import CscClient
from motcua.signing.errors import (
    ApprovalDenied,
    ApprovalTimeout,
    CertificateRefused,
    RemoteSigningError,
)
from motcua.signing.keys import key_source
from motcua.signing.validation import validate_pdf

from .csc_server import SHA256, CscTestService

pytestmark = pytest.mark.usefixtures("signing_settings")
TOKEN_ENV = "MOTCUA_TEST_CSC_TOKEN"


@pytest.fixture
def service(test_pki, monkeypatch):
    chain = [test_pki.dev.intermediate().certificate]
    running = CscTestService(
        {
            "smartca-hung": (test_pki.leader, chain),
            "smartca-tam": (test_pki.no_non_repudiation, chain),
        },
        multisign=10,
    ).start()
    monkeypatch.setenv(TOKEN_ENV, running.token)
    yield running
    running.stop()


def remote(service, credential="smartca-hung", **extra):
    config = {"url": service.url, "credential_id": credential, "token_env": TOKEN_ENV, **extra}
    return key_source("csc", config)


def test_a_remote_signature_after_approval_on_the_phone_validates(service, two_page_pdf):
    service.approval = "after:2"  # the signer opens the app while motcua polls

    signed = pades.sign_pdf(two_page_pdf, remote(service), reason="Phê duyệt", level="B-LT")

    result = validate_pdf(signed.pdf)
    assert result.status == "valid", result.summary
    (signature,) = result.signatures
    assert (signature.intact, signature.valid, signature.trusted) == (True, True, True)
    assert signature.signer_name == "Đặng Quốc Hùng"
    methods = service.methods()
    assert methods.count("credentials/authorize") == 1
    assert methods.count("credentials/authorizeCheck") == 2
    assert methods[-1] == "signatures/signHash"


def test_the_requests_follow_the_csc_v2_wire_format(service, two_page_pdf):
    pades.sign_pdf(two_page_pdf, remote(service), level="B-T")

    calls = dict(service.calls)
    assert calls["credentials/info"] == {
        "credentialID": "smartca-hung",
        "certificates": "chain",
        "certInfo": True,
    }
    authorize = calls["credentials/authorize"]
    assert authorize["credentialID"] == "smartca-hung"
    assert authorize["numSignatures"] == 1
    assert authorize["hashAlgorithmOID"] == SHA256
    assert len(base64.b64decode(authorize["hashes"][0])) == 32
    assert "motcua" in authorize["description"]
    sign = calls["signatures/signHash"]
    assert sign["hashes"] == authorize["hashes"]  # the SAD covers exactly what is signed
    assert sign["signAlgo"] == "1.2.840.113549.1.1.11" and sign["SAD"]


def test_a_batch_asks_for_one_approval(service, two_page_pdf):
    service.approval = "after:1"
    outcomes = pades.sign_pdfs(pades.requests_for([two_page_pdf] * 3), remote(service), level="B-T")

    assert all(o.ok for o in outcomes)
    assert service.methods().count("credentials/authorize") == 1
    assert dict(service.calls)["credentials/authorize"]["numSignatures"] == 3
    assert all(validate_pdf(o.signed.pdf).status == "valid" for o in outcomes)


def test_a_batch_larger_than_multisign_is_split(service, two_page_pdf):
    service.multisign = 2
    outcomes = pades.sign_pdfs(pades.requests_for([two_page_pdf] * 3), remote(service), level="B-T")

    assert all(o.ok for o in outcomes)
    sizes = [b["numSignatures"] for m, b in service.calls if m == "credentials/authorize"]
    assert sizes == [2, 1]


def test_a_bad_document_in_a_remote_batch_does_not_hold_the_others(service, two_page_pdf):
    outcomes = pades.sign_pdfs(
        pades.requests_for([two_page_pdf, b"not a pdf", two_page_pdf]), remote(service), level="B-T"
    )
    assert [o.ok for o in outcomes] == [True, False, True]
    assert dict(service.calls)["credentials/authorize"]["numSignatures"] == 2


def test_no_approval_in_time_gives_a_clear_message(service, two_page_pdf, signing_settings):
    service.approval = "never"
    signing_settings["CSC_APPROVAL_SECONDS"] = 0.1

    with pytest.raises(ApprovalTimeout) as timeout:
        pades.sign_pdf(two_page_pdf, remote(service), level="B-T")
    assert "chưa xác nhận trên điện thoại" in str(timeout.value)
    assert "signatures/signHash" not in service.methods()


def test_a_refusal_on_the_phone_gives_a_clear_message(service, two_page_pdf):
    service.approval = "deny"
    with pytest.raises(ApprovalDenied, match="từ chối"):
        pades.sign_pdf(two_page_pdf, remote(service), level="B-T")


def test_a_remote_certificate_without_non_repudiation_is_refused(service, two_page_pdf):
    with pytest.raises(CertificateRefused, match="chống chối bỏ"):
        pades.sign_pdf(two_page_pdf, remote(service, "smartca-tam"))
    assert "credentials/authorize" not in service.methods()


def test_without_a_credential_id_the_first_listed_is_used(service, monkeypatch):
    source = key_source("csc", {"url": service.url, "token_env": TOKEN_ENV})
    assert source.credential.credential_id == "smartca-hung"
    assert service.methods()[:2] == ["credentials/list", "credentials/info"]


def test_a_wrong_token_is_reported_with_the_service_answer(service, monkeypatch, two_page_pdf):
    monkeypatch.setenv(TOKEN_ENV, "wrong")
    with pytest.raises(RemoteSigningError) as refused:
        pades.sign_pdf(two_page_pdf, remote(service))
    assert "HTTP 401" in str(refused.value)


def test_an_unreachable_service_is_reported(monkeypatch, two_page_pdf):
    monkeypatch.setenv(TOKEN_ENV, "t")
    source = key_source("csc", {"url": "http://127.0.0.1:9/csc/v2", "token_env": TOKEN_ENV})
    with pytest.raises(RemoteSigningError, match="Không kết nối được"):
        pades.sign_pdf(two_page_pdf, source)


def test_the_client_reads_info(service):
    client = CscClient(service.url, service.token)
    assert "signatures/signHash" in client.info()["methods"]
    client.close()
