"""The tests' own PKI, made once per session in a temporary folder with the same builders
as the demo PKI: a root and an intermediate CA, a timestamping certificate, CRLs, a leader's
and a seal's PKCS#12 file; and certificates the signing must refuse or validation distrust."""

from dataclasses import dataclass

import pytest

from motcua.signing import pki

from .helpers import use_pki

PROVINCE = "Tỉnh Long An"
PASSPHRASE_ENV = "MOTCUA_TEST_P12_PASSPHRASE"


@dataclass
class SigningPki:
    dev: pki.DevPki
    leader: pki.Issued
    seal: pki.Issued
    no_non_repudiation: pki.Issued
    stranger_root: pki.Issued
    stranger: pki.Issued
    revoked: pki.Issued

    def p12_config(self, name: str) -> dict:
        return {"path": str(self.dev.signer_path(name)), "passphrase_env": PASSPHRASE_ENV}


@pytest.fixture(scope="session")
def test_pki(tmp_path_factory) -> SigningPki:
    dev = pki.DevPki(tmp_path_factory.mktemp("pki"))
    dev.ensure(PROVINCE)
    ca = dev.intermediate()
    leader = pki.issue_person(
        ca,
        full_name="Đặng Quốc Hùng",
        title="Phó Giám đốc",
        agency_name="Sở Tư pháp tỉnh Long An",
        province="Long An",
    )
    seal = pki.issue_seal(ca, agency_name="Sở Tư pháp tỉnh Long An", agency_code="000.00.12.H39")
    no_nr = pki.issue_person(ca, full_name="Lê Văn Tám", non_repudiation=False)
    stranger_root = pki.make_root("Tổ chức chứng thực lạ")
    stranger = pki.issue_person(stranger_root, full_name="Người Lạ")
    revoked = pki.issue_person(ca, full_name="Trần Thị Thu Hồi")
    for name, issued in (
        ("leader", leader),
        ("seal", seal),
        ("no-nr", no_nr),
        ("revoked", revoked),
    ):
        dev.write_signer(name, issued)
    path = dev.signer_path("stranger")
    path.write_bytes(stranger.pkcs12(dev.passphrase(), [stranger_root.certificate]))
    return SigningPki(dev, leader, seal, no_nr, stranger_root, stranger, revoked)


@pytest.fixture
def signing_settings(settings, test_pki, monkeypatch, tmp_path):
    """motcua.signing configured for the test PKI, as development is for the demo PKI."""
    monkeypatch.setenv(PASSPHRASE_ENV, test_pki.dev.passphrase().decode())
    settings.MEDIA_ROOT = tmp_path / "media"
    return use_pki(settings, test_pki.dev.directory, CSC_POLL_SECONDS=0.01, CSC_APPROVAL_SECONDS=5)


@pytest.fixture(scope="session")
def two_page_pdf() -> bytes:
    """A result of two pages, as WeasyPrint renders motcua's documents."""
    from motcua.dossiers.forms_pdf import html_to_pdf

    return html_to_pdf(
        "<html lang='vi'><body style='font-family: DejaVu Serif'>"
        "<h1>QUYẾT ĐỊNH</h1><p>Về việc cấp bản sao trích lục hộ tịch cho bà Nguyễn Thị Hằng.</p>"
        "<p style='break-before: page'>Trang hai: nơi nhận, lưu văn thư.</p></body></html>"
    )
