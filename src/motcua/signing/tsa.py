"""RFC 3161 timestamps: the province's timestamp authority over HTTP (httpx), and for
development, tests and benchmarks a timestamper in the process that makes real tokens with the
demo PKI's TSA certificate."""

import functools
from datetime import datetime
from pathlib import Path

import httpx
from asn1crypto import cms, core, keys, tsp
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from django.utils import timezone
from django.utils.translation import gettext as _
from pyhanko.sign.general import as_signing_certificate, simple_cms_attribute
from pyhanko.sign.timestamps import DummyTimeStamper, TimeStamper
from pyhanko.sign.timestamps.common_utils import set_tsp_headers
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash

from . import certs
from .errors import TimestampUnavailable


class LocalTimeStamper(DummyTimeStamper):
    """pyHanko's in-process timestamper, keeping the TSA key loaded (loading an RSA key
    checks it, which costs more than the signature)."""

    def __init__(self, tsa_cert, tsa_key_pem: bytes, chain=()):
        self._key = serialization.load_pem_private_key(tsa_key_pem, password=None)
        key_info = self._key.private_bytes(
            serialization.Encoding.DER,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        super().__init__(
            tsa_cert=certs.to_asn1(tsa_cert),
            tsa_key=keys.PrivateKeyInfo.load(key_info),
            certs_to_embed=SimpleCertificateStore.from_certs([certs.to_asn1(c) for c in chain]),
        )

    def _sign_tst_info(self, tst_info_data: bytes, md_algorithm: str, dt):
        digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
        digest.update(tst_info_data)
        signed_attrs = cms.CMSAttributes(
            [
                simple_cms_attribute("content_type", "tst_info"),
                simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                simple_cms_attribute("signing_certificate", as_signing_certificate(self.tsa_cert)),
                simple_cms_attribute("message_digest", digest.finalize()),
            ]
        )
        signature = self._key.sign(
            signed_attrs.dump(), PKCS1v15(), get_pyca_cryptography_hash(md_algorithm)
        )
        return signature, signed_attrs


class HttpTimeStamper(TimeStamper):
    """A timestamp authority over HTTP(S): the request body is the DER TimeStampReq."""

    def __init__(self, url: str, *, username: str = "", password: str = "", timeout: float = 10):
        super().__init__()
        self.url = url
        self.auth = (username, password) if username else None
        self.timeout = timeout

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        try:
            async with httpx.AsyncClient(timeout=self.timeout, auth=self.auth) as client:
                answer = await client.post(
                    self.url, content=req.dump(), headers=set_tsp_headers({})
                )
        except httpx.HTTPError as exc:
            raise TimestampUnavailable(
                _("Không kết nối được dịch vụ cấp dấu thời gian %(url)s.") % {"url": self.url}
            ) from exc
        content_type = answer.headers.get("content-type", "").split(";")[0].strip()
        if answer.status_code != 200 or content_type != "application/timestamp-reply":
            raise TimestampUnavailable(
                _("Dịch vụ cấp dấu thời gian trả lời không hợp lệ (HTTP %(status)s).")
                % {"status": answer.status_code}
            )
        try:
            return tsp.TimeStampResp.load(answer.content)
        except ValueError as exc:
            raise TimestampUnavailable(
                _("Dịch vụ cấp dấu thời gian trả lời không hợp lệ.")
            ) from exc


class RecordingTimeStamper:
    """The configured timestamper, keeping the tokens it made for this signature: the first
    is the signature's timestamp, whose time the control sheet records (reading it back from
    the signed file would cost a sixth of the signing)."""

    def __init__(self, inner):
        self._inner = inner
        self.tokens = []

    def __getattr__(self, name):
        return getattr(self._inner, name)

    async def async_timestamp(self, message_digest, md_algorithm):
        token = await self._inner.async_timestamp(message_digest, md_algorithm)
        self.tokens.append(token)
        return token

    def first_time(self) -> datetime | None:
        if not self.tokens:
            return None
        info = self.tokens[0]["content"]["encap_content_info"]["content"].parsed
        return timezone.localtime(info["gen_time"].native)


@functools.lru_cache(maxsize=4)
def http_timestamper(url: str, username: str, password: str) -> HttpTimeStamper:
    return HttpTimeStamper(url, username=username, password=password)


@functools.lru_cache(maxsize=4)
def local_timestamper(cert_stamp, key_stamp, chain_stamp) -> LocalTimeStamper:
    """Keyed on (path, size, mtime) of the files: a renewed demo PKI is picked up."""
    cert = certs.load_certificates(Path(cert_stamp[0]).read_bytes())[0]
    chain = certs.load_certificates(Path(chain_stamp[0]).read_bytes()) if chain_stamp else []
    return LocalTimeStamper(cert, Path(key_stamp[0]).read_bytes(), chain)
