"""Where keys are: the configuration of each kind checked with a readable message, a
PKCS#12 file, and a PKCS#11 token (SoftHSM, installed by scripts/system-deps)."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from motcua.signing import pades
from motcua.signing.errors import KeyConfigurationError
from motcua.signing.keys import REGISTRY, key_source
from motcua.signing.validation import validate_pdf

pytestmark = pytest.mark.usefixtures("signing_settings")
SOFTHSM = next(
    (
        p
        for p in (
            "/usr/lib/softhsm/libsofthsm2.so",
            "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
        )
        if Path(p).exists()
    ),
    None,
)


def test_the_three_kinds_are_registered():
    assert set(REGISTRY) == {"pkcs12", "pkcs11", "csc"}


@pytest.mark.parametrize(
    ("kind", "config", "words"),
    [
        ("hsm", {}, "không được hỗ trợ"),
        ("pkcs12", {"path": "a.p12", "passphrase": "123"}, "Không lưu bí mật"),
        ("pkcs11", {"token_label": "t", "key_label": "k", "pin": "1234"}, "pin_env"),
        ("csc", {"url": "https://ca.example/csc/v2", "access_token": "x"}, "Không lưu bí mật"),
        ("pkcs12", {"passphrase_env": "X"}, "thiếu mục “path”"),
        ("pkcs12", {"path": "a.p12"}, "passphrase_env"),
        ("pkcs12", {"path": 12, "passphrase_env": "X"}, "phải là chuỗi"),
        ("pkcs12", {"path": "a.p12", "passphrase_env": "X", "colour": "red"}, "không có mục"),
        ("pkcs11", {"module": "/x.so", "token_label": "t"}, "key_label"),
        ("pkcs11", {"module": "/x.so", "token_label": "t", "key_id": "zz"}, "thập lục phân"),
        ("pkcs11", {"token_label": "t", "key_label": "k"}, "module"),
        (
            "pkcs11",
            {"module": "/x.so", "token_label": "t", "key_label": "k", "slot": "1"},
            "số nguyên",
        ),
        ("csc", {"credential_id": "c"}, "url"),
        ("csc", {"url": "ftp://ca.example"}, "url"),
    ],
)
def test_a_bad_configuration_is_refused_with_a_message(kind, config, words):
    with pytest.raises(KeyConfigurationError) as refused:
        key_source(kind, config)
    assert isinstance(refused.value, ValueError)
    assert words in str(refused.value)


def test_a_good_pkcs11_configuration_is_accepted_without_touching_the_token():
    source = key_source(
        "pkcs11",
        {"module": "/usr/lib/x.so", "token_label": "Sở Tư pháp", "key_id": "0a1b", "pin_env": "P"},
    )
    config = source.signature_config("1234")
    assert config.key_id == b"\x0a\x1b" and config.token_criteria.label == "Sở Tư pháp"
    assert config.user_pin == "1234"
    assert "Sở Tư pháp" in source.describe()


def test_the_pkcs11_module_may_come_from_the_settings(signing_settings):
    signing_settings["PKCS11_MODULE"] = "/opt/vendor/libtoken.so"
    source = key_source("pkcs11", {"token_label": "t", "key_label": "k"})
    assert source.module_path() == "/opt/vendor/libtoken.so"


def test_a_pkcs12_secret_missing_from_the_environment_is_named(test_pki, monkeypatch):
    monkeypatch.delenv("MOTCUA_SEAL_PASSPHRASE", raising=False)
    source = key_source(
        "pkcs12",
        {"path": str(test_pki.dev.signer_path("seal")), "passphrase_env": "MOTCUA_SEAL_PASSPHRASE"},
    )
    with pytest.raises(KeyConfigurationError, match="MOTCUA_SEAL_PASSPHRASE"):
        source.certificate()


def test_a_wrong_pkcs12_passphrase_or_a_missing_file_is_reported(test_pki, monkeypatch):
    monkeypatch.setenv("WRONG_PASSPHRASE", "khong-dung")
    path = str(test_pki.dev.signer_path("seal"))
    with pytest.raises(KeyConfigurationError, match="mật khẩu sai"):
        key_source("pkcs12", {"path": path, "passphrase_env": "WRONG_PASSPHRASE"}).certificate()
    with pytest.raises(KeyConfigurationError, match="Không tìm thấy tệp"):
        key_source(
            "pkcs12", {"path": "/nowhere.p12", "passphrase_env": "WRONG_PASSPHRASE"}
        ).certificate()


def test_a_passphrase_may_come_from_a_file_relative_to_the_key_folder(test_pki):
    source = key_source("pkcs12", {"path": "signers/seal.p12", "passphrase_file": "passphrase"})
    assert source.certificate().serial_number == test_pki.seal.certificate.serial_number


# --- PKCS#11 with SoftHSM --------------------------------------------------------------------


@pytest.fixture(scope="module")
def softhsm_token(tmp_path_factory, test_pki):
    """A SoftHSM token holding the seal's key and certificate, as a USB token would."""
    if SOFTHSM is None or shutil.which("softhsm2-util") is None:
        pytest.skip("SoftHSM is not installed (scripts/system-deps test installs softhsm2)")
    import pkcs11
    from cryptography.hazmat.primitives import serialization
    from pkcs11 import Attribute
    from pkcs11.util.rsa import decode_rsa_private_key
    from pkcs11.util.x509 import decode_x509_certificate

    folder = tmp_path_factory.mktemp("softhsm")
    (folder / "tokens").mkdir()
    conf = folder / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {folder / 'tokens'}\nobjectstore.backend = file\n")
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    subprocess.run(
        [
            *("softhsm2-util", "--init-token", "--free", "--label", "motcua-seal"),
            *("--pin", "246810", "--so-pin", "13579135"),
        ],
        check=True,
        capture_output=True,
    )
    token = pkcs11.lib(SOFTHSM).get_token(token_label="motcua-seal")
    key_der = test_pki.seal.key.private_bytes(
        serialization.Encoding.DER,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    cert_der = test_pki.seal.certificate.public_bytes(serialization.Encoding.DER)
    with token.open(rw=True, user_pin="246810") as session:
        key = decode_rsa_private_key(key_der)
        key.update({Attribute.TOKEN: True, Attribute.LABEL: "seal", Attribute.ID: b"\x01"})
        key[Attribute.PRIVATE] = True
        session.create_object(key)
        cert = decode_x509_certificate(cert_der)
        cert.update({Attribute.TOKEN: True, Attribute.LABEL: "seal", Attribute.ID: b"\x01"})
        session.create_object(cert)
    yield {"module": SOFTHSM, "token_label": "motcua-seal", "key_label": "seal"}
    if previous is None:
        os.environ.pop("SOFTHSM2_CONF", None)
    else:
        os.environ["SOFTHSM2_CONF"] = previous


def test_a_seal_on_a_pkcs11_token_signs_and_validates(softhsm_token, monkeypatch, two_page_pdf):
    monkeypatch.setenv("MOTCUA_TEST_TOKEN_PIN", "246810")
    source = key_source("pkcs11", {**softhsm_token, "pin_env": "MOTCUA_TEST_TOKEN_PIN"})

    signed = pades.sign_pdf(two_page_pdf, source, level="B-LT")

    result = validate_pdf(signed.pdf)
    assert result.status == "valid", result.summary
    assert result.signatures[0].signer_name == "Sở Tư pháp tỉnh Long An"


def test_a_wrong_token_pin_is_reported(softhsm_token, monkeypatch, two_page_pdf):
    monkeypatch.setenv("MOTCUA_TEST_TOKEN_PIN", "000000")
    source = key_source("pkcs11", {**softhsm_token, "pin_env": "MOTCUA_TEST_TOKEN_PIN"})
    with pytest.raises(KeyConfigurationError, match="Không mở được thiết bị ký số"):
        pades.sign_pdf(two_page_pdf, source)
