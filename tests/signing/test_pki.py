"""The development PKI: certificates shaped like Vietnamese signing certificates, CRLs, and a
folder made once and kept."""

import io

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.management import call_command

from motcua.signing import pki
from motcua.signing.certs import check_can_sign, describe


def _ext(cert, kind):
    return cert.extensions.get_extension_for_class(kind)


def test_a_persons_certificate_names_the_person_title_and_agency(test_pki):
    cert = test_pki.leader.certificate
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "Đặng Quốc Hùng"
    assert cert.subject.get_attributes_for_oid(NameOID.TITLE)[0].value == "Phó Giám đốc"
    unit = cert.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value
    assert unit == "Sở Tư pháp tỉnh Long An"
    usage = _ext(cert, x509.KeyUsage)
    assert usage.critical and usage.value.digital_signature and usage.value.content_commitment
    purposes = list(_ext(cert, x509.ExtendedKeyUsage).value)
    assert ExtendedKeyUsageOID.EMAIL_PROTECTION in purposes and pki.DOCUMENT_SIGNING in purposes
    assert not _ext(cert, x509.BasicConstraints).value.ca
    assert check_can_sign(cert).serial == test_pki.leader.serial_hex


def test_a_seal_certificate_is_the_agencys(test_pki):
    info = describe(test_pki.seal.certificate)
    assert info.common_name == info.organization == "Sở Tư pháp tỉnh Long An"
    assert "UID=000.00.12.H39" in info.subject
    assert info.non_repudiation


def test_the_timestamping_certificate_has_the_critical_purpose(test_pki):
    tsa = x509.load_pem_x509_certificate(test_pki.dev.tsa_path.read_bytes())
    purposes = _ext(tsa, x509.ExtendedKeyUsage)
    assert purposes.critical and list(purposes.value) == [ExtendedKeyUsageOID.TIME_STAMPING]


def test_the_cas_and_their_crls(test_pki):
    root = test_pki.dev.root()
    intermediate = test_pki.dev.intermediate()
    assert root.certificate.subject == root.certificate.issuer
    assert intermediate.certificate.issuer == root.certificate.subject
    assert _ext(intermediate.certificate, x509.BasicConstraints).value.path_length == 0
    for path, ca in zip(test_pki.dev.crl_paths, (root, intermediate), strict=True):
        crl = x509.load_pem_x509_crl(path.read_bytes())
        assert crl.issuer == ca.certificate.subject
        assert crl.is_signature_valid(ca.key.public_key())
    points = _ext(test_pki.leader.certificate, x509.CRLDistributionPoints).value
    assert points[0].full_name[0].value.endswith("intermediate.crl")


def test_the_folder_is_made_once_and_kept(tmp_path):
    dev = pki.DevPki(tmp_path / "pki")
    assert dev.ensure("Tỉnh Tây Ninh") is True
    root = dev.root_path.read_bytes()
    assert oct(dev.passphrase_path.stat().st_mode)[-3:] == "600"
    assert oct((dev.directory / "root.key.pem").stat().st_mode)[-3:] == "600"

    assert dev.ensure("Tỉnh Tây Ninh") is False
    assert dev.root_path.read_bytes() == root
    assert "Tỉnh Tây Ninh" in describe(dev.root().certificate).common_name


@pytest.mark.django_db
def test_the_command_reports_what_it_made(tmp_path, settings):
    settings.MOTCUA_SIGNING = {
        **settings.MOTCUA_SIGNING,
        "DEV_PKI_DIR": str(tmp_path / "pki"),
        "KEY_DIR": str(tmp_path / "pki"),
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    out = io.StringIO()
    call_command("signing_dev_pki", stdout=out)
    assert "Development PKI created" in out.getvalue()
    out = io.StringIO()
    call_command("signing_dev_pki", stdout=out)
    assert "kept" in out.getvalue() and "0 new signers' keys" in out.getvalue()
