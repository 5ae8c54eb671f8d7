"""Where a signing key is, behind one small interface (`KeySource`), one plugin per kind:

- ``pkcs12`` — a PKCS#12 file on the server (an agency's seal certificate, "chữ ký số của
  cơ quan"): ``{"path": "seals/stp.p12", "passphrase_env": "MOTCUA_SEAL_STP_PASSPHRASE"}``;
- ``pkcs11`` — a USB token or HSM through its PKCS#11 module: ``{"module": "/usr/lib/…so",
  "token_label": "…", "key_label": "…", "pin_env": "MOTCUA_TOKEN_PIN"}``;
- ``csc`` — a remote signing service speaking the Cloud Signature Consortium API v2 (VNPT
  SmartCA-, Viettel MySign-type): ``{"url": "https://…/csc/v2", "credential_id": "…",
  "token_env": "MOTCUA_CSC_TOKEN"}``; the signer approves each request on the phone.

A configuration never holds a secret: passphrases, PINs and tokens come from the environment
variable (``*_env``) or file (``*_file``) it names. `key_source(kind, config)` parses one;
`KeySource.signer()` opens the key as a pyHanko signer for as long as the `with` lasts.
"""

import abc
import contextlib
import functools
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from django.utils.translation import gettext as _

from . import certs, conf
from .errors import KeyConfigurationError, SigningError

SECRET_NAMES = ("passphrase", "password", "pin", "token", "secret", "key_pem")
REGISTRY: dict[str, type["KeySource"]] = {}


def register(cls: type["KeySource"]) -> type["KeySource"]:
    REGISTRY[cls.kind] = cls
    return cls


def key_source(kind: str, config: dict) -> "KeySource":
    """The plugin for `kind` with `config` checked; KeyConfigurationError says what is wrong."""
    try:
        plugin = REGISTRY[kind]
    except KeyError:
        raise KeyConfigurationError(
            _("Loại khóa ký số “%(kind)s” không được hỗ trợ (chọn một trong: %(kinds)s).")
            % {"kind": kind, "kinds": ", ".join(REGISTRY)}
        ) from None
    return plugin(config)


def secret(config: dict, name: str, *, required: bool = True) -> str:
    """The secret `name` from the environment variable `<name>_env` or the file `<name>_file`
    the configuration names (files suit container secrets: /run/secrets/…)."""
    if config.get(f"{name}_env"):
        variable = config[f"{name}_env"]
        value = os.environ.get(variable)
        if value is None:
            raise KeyConfigurationError(
                _("Biến môi trường %(name)s (bí mật của khóa ký số) chưa được đặt trên máy chủ.")
                % {"name": variable}
            )
        return value
    if config.get(f"{name}_file"):
        path = conf.key_path(config[f"{name}_file"])
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError:
            raise KeyConfigurationError(
                _("Không đọc được tệp bí mật %(path)s của khóa ký số.") % {"path": path}
            ) from None
    if required:
        raise KeyConfigurationError(
            _("Cấu hình khóa ký số thiếu %(name)s_env (tên biến môi trường chứa bí mật).")
            % {"name": name}
        )
    return ""


class KeySource(abc.ABC):
    """One kind of key store. Subclasses declare `kind`, `fields` (name → (type, required))
    and implement `certificate()` and `signer()`."""

    kind: ClassVar[str]
    fields: ClassVar[dict[str, tuple[type, bool]]]

    def __init__(self, config: dict):
        if not isinstance(config, dict):
            raise KeyConfigurationError(_("Cấu hình khóa ký số phải là một đối tượng JSON."))
        for name in config:
            if name not in self.fields:
                if name.lower() in SECRET_NAMES or any(w in name.lower() for w in SECRET_NAMES):
                    raise KeyConfigurationError(
                        _(
                            "Không lưu bí mật (“%(name)s”) trong cơ sở dữ liệu: ghi tên biến "
                            "môi trường chứa nó, ví dụ “%(name)s_env”."
                        )
                        % {"name": name}
                    )
                raise KeyConfigurationError(
                    _("Cấu hình khóa ký số loại %(kind)s không có mục “%(name)s”.")
                    % {"kind": self.kind, "name": name}
                )
        for name, (kind, required) in self.fields.items():
            value = config.get(name)
            if value in (None, ""):
                if required:
                    raise KeyConfigurationError(
                        _("Cấu hình khóa ký số loại %(kind)s thiếu mục “%(name)s”.")
                        % {"kind": self.kind, "name": name}
                    )
                continue
            if not isinstance(value, kind) or isinstance(value, bool):
                raise KeyConfigurationError(
                    _("Mục “%(name)s” của cấu hình khóa ký số phải là %(type)s.")
                    % {"name": name, "type": {str: _("chuỗi"), int: _("số nguyên")}[kind]}
                )
        self.config = dict(config)
        self.check()

    def check(self) -> None:  # noqa: B027 — most kinds need no more
        """Further checks of the configuration alone (no file or network access)."""

    @abc.abstractmethod
    def certificate(self):
        """The signing certificate (asn1crypto), read from where the key is."""

    @abc.abstractmethod
    def signer(self, *, expected_signatures: int = 1) -> contextlib.AbstractContextManager:
        """A pyHanko `Signer` for the key, open while the `with` lasts. A remote service asks
        for one approval covering `expected_signatures` signatures."""

    def describe(self) -> str:
        return self.kind


# --- PKCS#12 -------------------------------------------------------------------------------


class LoadedKeySigner:
    """Mixin for pyHanko's SimpleSigner keeping the private key loaded: pyHanko reloads it
    for every signature, and loading checks an RSA key at a cost of ~50 ms."""

    @functools.cached_property
    def _private_key(self):
        return serialization.load_der_private_key(self.signing_key.dump(), password=None)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
        from pyhanko_certvalidator.util import get_pyca_cryptography_hash, process_pss_params

        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        algorithm = mechanism.signature_algo
        key = self._private_key
        if algorithm == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        if algorithm == "rsassa_pss" and isinstance(key, rsa.RSAPrivateKey):
            pss, hash_algorithm = process_pss_params(mechanism["parameters"])
            return key.sign(data, pss, hash_algorithm)
        if algorithm == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
        return super().sign_raw(data, digest_algorithm)


_PKCS12_SIGNERS: dict[tuple, object] = {}


def _pkcs12_signer(stamp: tuple, passphrase: str):
    """The file's signer, loaded once per (file version, passphrase)."""
    cache_key = (stamp, hashlib.sha256(passphrase.encode()).hexdigest())
    if cache_key not in _PKCS12_SIGNERS:
        if len(_PKCS12_SIGNERS) > 256:
            _PKCS12_SIGNERS.clear()
        _PKCS12_SIGNERS[cache_key] = _load_pkcs12(stamp[0], passphrase)
    return _PKCS12_SIGNERS[cache_key]


def _load_pkcs12(path: str, passphrase: str):
    from asn1crypto import keys
    from pyhanko.sign.signers import SimpleSigner
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    class Pkcs12Signer(LoadedKeySigner, SimpleSigner):
        pass

    data = Path(path).read_bytes()
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, passphrase.encode() or None)
    except ValueError:
        raise KeyConfigurationError(
            _("Không mở được tệp PKCS#12 %(path)s: mật khẩu sai hoặc tệp hỏng.") % {"path": path}
        ) from None
    if key is None or cert is None:
        raise KeyConfigurationError(
            _("Tệp PKCS#12 %(path)s không chứa khóa bí mật và chứng thư số.") % {"path": path}
        )
    key_info = keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    chain = [certs.to_asn1(c) for c in extra or ()]
    return Pkcs12Signer(
        signing_cert=certs.to_asn1(cert),
        signing_key=key_info,
        cert_registry=SimpleCertificateStore.from_certs(chain),
    )


@register
class Pkcs12Key(KeySource):
    kind = "pkcs12"
    fields = {"path": (str, True), "passphrase_env": (str, False), "passphrase_file": (str, False)}

    def check(self) -> None:
        if not (self.config.get("passphrase_env") or self.config.get("passphrase_file")):
            raise KeyConfigurationError(
                _(
                    "Khóa PKCS#12 cần passphrase_env (hoặc passphrase_file): nơi máy chủ đọc mật khẩu."
                )
            )

    def _signer(self):
        path = conf.key_path(self.config["path"])
        try:
            stat = path.stat()
        except OSError:
            raise KeyConfigurationError(
                _("Không tìm thấy tệp khóa ký số %(path)s trên máy chủ.") % {"path": path}
            ) from None
        passphrase = secret(self.config, "passphrase")
        return _pkcs12_signer((str(path), stat.st_size, stat.st_mtime_ns), passphrase)

    def certificate(self):
        return self._signer().signing_cert

    @contextlib.contextmanager
    def signer(self, *, expected_signatures: int = 1) -> Iterator:
        yield self._signer()

    def describe(self) -> str:
        return _("tệp PKCS#12 %(path)s") % {"path": self.config["path"]}


# --- PKCS#11 -------------------------------------------------------------------------------


@register
class Pkcs11Key(KeySource):
    kind = "pkcs11"
    fields = {
        "module": (str, False),
        "token_label": (str, True),
        "key_label": (str, False),
        "key_id": (str, False),
        "cert_label": (str, False),
        "pin_env": (str, False),
        "pin_file": (str, False),
        "slot": (int, False),
    }

    def check(self) -> None:
        if not (self.config.get("key_label") or self.config.get("key_id")):
            raise KeyConfigurationError(_("Khóa PKCS#11 cần key_label hoặc key_id."))
        if self.config.get("key_id"):
            try:
                bytes.fromhex(self.config["key_id"])
            except ValueError:
                raise KeyConfigurationError(_("key_id phải là chuỗi thập lục phân.")) from None
        if not self.module_path():
            raise KeyConfigurationError(
                _(
                    "Khóa PKCS#11 cần “module” (thư viện .so của thiết bị) hoặc MOTCUA_SIGNING_PKCS11_MODULE."
                )
            )

    def module_path(self) -> str:
        return self.config.get("module") or conf.option("PKCS11_MODULE")

    def signature_config(self, pin: str | None):
        """pyHanko's PKCS#11 configuration for this key."""
        from pyhanko.config.pkcs11 import PKCS11SignatureConfig, TokenCriteria

        key_id = bytes.fromhex(self.config["key_id"]) if self.config.get("key_id") else None
        return PKCS11SignatureConfig(
            module_path=self.module_path(),
            token_criteria=TokenCriteria(label=self.config["token_label"]),
            slot_no=self.config.get("slot"),
            key_label=self.config.get("key_label"),
            key_id=key_id,
            cert_label=self.config.get("cert_label") or self.config.get("key_label"),
            cert_id=None if self.config.get("cert_label") else key_id,
            user_pin=pin,
            other_certs=conf.extra_certificates() or None,
        )

    @contextlib.contextmanager
    def signer(self, *, expected_signatures: int = 1) -> Iterator:
        from pyhanko.sign.pkcs11 import PKCS11SigningContext

        pin = secret(self.config, "pin", required=False) or None
        context = PKCS11SigningContext(self.signature_config(pin))
        try:
            signer = context.__enter__()
            signer.signing_cert  # noqa: B018 — reading it finds the key and certificate now
        except Exception as exc:
            with contextlib.suppress(Exception):
                context.__exit__(None, None, None)
            raise KeyConfigurationError(
                _("Không mở được thiết bị ký số (token “%(token)s”): %(reason)s")
                % {"token": self.config["token_label"], "reason": exc}
            ) from exc
        try:
            yield signer
        finally:
            context.__exit__(None, None, None)

    def certificate(self):
        with self.signer() as signer:
            return signer.signing_cert

    def describe(self) -> str:
        return _("thiết bị ký số “%(token)s”, khóa “%(key)s”") % {
            "token": self.config["token_label"],
            "key": self.config.get("key_label") or self.config.get("key_id"),
        }


# --- remote signing (CSC API v2) -----------------------------------------------------------


@register
class CscKey(KeySource):
    kind = "csc"
    fields = {
        "url": (str, False),
        "credential_id": (str, False),
        "user_id": (str, False),
        "token_env": (str, False),
        "token_file": (str, False),
        "pin_env": (str, False),
        "pin_file": (str, False),
    }

    def check(self) -> None:
        url = self.base_url()
        if not url.startswith(("https://", "http://")):
            raise KeyConfigurationError(
                _("Khóa ký số từ xa cần “url” của dịch vụ (…/csc/v2) hoặc MOTCUA_SIGNING_CSC_URL.")
            )

    def base_url(self) -> str:
        return (self.config.get("url") or conf.option("CSC_URL")).rstrip("/")

    def client(self):
        from .csc import CscClient

        config = dict(self.config)
        if not (config.get("token_env") or config.get("token_file")):
            config["token_env"] = conf.option("CSC_TOKEN_ENV")
        return CscClient(self.base_url(), secret(config, "token"))

    @functools.cached_property
    def credential(self):
        """The credential's certificates and limits (credentials/info), found through
        credentials/list when no credential_id is configured."""
        client = self.client()
        try:
            credential_id = self.config.get("credential_id")
            if not credential_id:
                found = client.credentials_list(user_id=self.config.get("user_id"))
                if not found:
                    raise SigningError(
                        _("Dịch vụ ký số từ xa không có chứng thư số nào cho người ký này.")
                    )
                credential_id = found[0]
            return client.credentials_info(credential_id)
        finally:
            client.close()

    def certificate(self):
        return self.credential.certificate

    @contextlib.contextmanager
    def signer(self, *, expected_signatures: int = 1) -> Iterator:
        from .csc import CscBatch, CscSigner

        credential = self.credential
        client = self.client()
        batch = CscBatch(
            client,
            credential,
            expected=expected_signatures,
            pin=secret(self.config, "pin", required=False) or None,
            approval_seconds=conf.option("CSC_APPROVAL_SECONDS"),
            poll_seconds=conf.option("CSC_POLL_SECONDS"),
        )
        try:
            yield CscSigner(batch)
        finally:
            client.close()

    def describe(self) -> str:
        return _("dịch vụ ký số từ xa %(url)s") % {"url": self.base_url()}
