"""A client of the Cloud Signature Consortium API v2 (remote signing: VNPT SmartCA-,
Viettel MySign-type services) and the pyHanko signer that uses it.

The calls: ``credentials/list``, ``credentials/info`` (certificates, key algorithms, how many
hashes one authorisation may cover), ``credentials/authorize`` — answered at once with the
signature activation data (SAD), or with HTTP 202 and a handle while the signer is asked to
approve on the phone, polled with ``credentials/authorizeCheck`` until approved, refused or
timed out — and ``signatures/signHash``. Hashes are bound to the authorisation (SCAL 2).
"""

import asyncio
import base64
import hashlib
import time
from dataclasses import dataclass, field

import httpx
from asn1crypto import algos
from django.utils.translation import gettext as _
from pyhanko.sign.signers import Signer
from pyhanko_certvalidator.registry import SimpleCertificateStore

from . import certs
from .errors import ApprovalDenied, ApprovalTimeout, RemoteSigningError

RSA = "1.2.840.113549.1.1.1"
DENIED = {"access_denied", "authorization_denied", "rejected", "denied", "user_rejected"}


@dataclass(frozen=True)
class CscCredential:
    """What credentials/info says of one credential."""

    credential_id: str
    certificates: list  # asn1crypto certificates, the signer's first
    key_algorithms: list[str] = field(default_factory=list)  # OIDs
    key_length: int = 2048
    multisign: int = 1
    scal: str = "1"
    status: str = "enabled"

    @property
    def certificate(self):
        return self.certificates[0]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class CscClient:
    """Synchronous CSC v2 client; `base_url` ends with /csc/v2."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 15, transport=None):
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            timeout=timeout,
            transport=transport,
            headers={"Authorization": f"Bearer {token}"} if token else {},
        )

    def close(self) -> None:
        self._http.close()

    def call(self, method: str, body: dict) -> tuple[int, dict]:
        """POST one API method; (status, JSON body) for 200 and 202, else RemoteSigningError
        carrying the service's own error description."""
        try:
            answer = self._http.post(f"{self.base_url}/{method}", json=body)
        except httpx.HTTPError as exc:
            raise RemoteSigningError(
                _("Không kết nối được dịch vụ ký số từ xa (%(method)s): %(reason)s")
                % {"method": method, "reason": exc.__class__.__name__}
            ) from exc
        try:
            data = answer.json() if answer.content else {}
        except ValueError:
            data = {}
        if answer.status_code in (200, 202) and isinstance(data, dict):
            return answer.status_code, data
        error = str(data.get("error", "")) if isinstance(data, dict) else ""
        description = str(data.get("error_description", "")) if isinstance(data, dict) else ""
        exception = ApprovalDenied if error.lower() in DENIED else RemoteSigningError
        if exception is ApprovalDenied:
            raise ApprovalDenied(_("Người ký đã từ chối yêu cầu ký trên điện thoại."))
        raise exception(
            _("Dịch vụ ký số từ xa từ chối (%(method)s, HTTP %(status)s): %(reason)s")
            % {
                "method": method,
                "status": answer.status_code,
                "reason": description or error or _("không rõ lý do"),
            }
        )

    def info(self) -> dict:
        return self.call("info", {})[1]

    def credentials_list(self, *, user_id: str | None = None) -> list[str]:
        body = {"userID": user_id} if user_id else {}
        return [str(c) for c in self.call("credentials/list", body)[1].get("credentialIDs", [])]

    def credentials_info(self, credential_id: str) -> CscCredential:
        data = self.call(
            "credentials/info",
            {"credentialID": credential_id, "certificates": "chain", "certInfo": True},
        )[1]
        try:
            chain = [certs.to_asn1(base64.b64decode(c)) for c in data["cert"]["certificates"]]
            key = data.get("key", {})
        except (KeyError, TypeError, ValueError) as exc:
            raise RemoteSigningError(
                _("Dịch vụ ký số từ xa không trả về chứng thư số của người ký.")
            ) from exc
        if not chain:
            raise RemoteSigningError(
                _("Dịch vụ ký số từ xa không trả về chứng thư số của người ký.")
            )
        if key.get("status", "enabled") != "enabled":
            raise RemoteSigningError(_("Khóa ký số trên dịch vụ từ xa đang bị khóa hoặc tạm dừng."))
        return CscCredential(
            credential_id=credential_id,
            certificates=chain,
            key_algorithms=[str(a) for a in key.get("algo", [])],
            key_length=int(key.get("len", 2048)),
            multisign=max(1, int(data.get("multisign", 1))),
            scal=str(data.get("SCAL", "1")),
            status=str(key.get("status", "enabled")),
        )

    def authorize(
        self,
        credential_id: str,
        hashes: list[bytes],
        *,
        hash_oid: str,
        description: str = "",
        pin: str | None = None,
        approval_seconds: float = 120,
        poll_seconds: float = 2,
    ) -> str:
        """The SAD for `hashes`, waiting while the signer approves on the phone."""
        body = {
            "credentialID": credential_id,
            "numSignatures": len(hashes),
            "hashes": [_b64(h) for h in hashes],
            "hashAlgorithmOID": hash_oid,
        }
        if description:
            body["description"] = description[:500]
        if pin:
            body["authData"] = [{"id": "PIN", "value": pin}]
        status, data = self.call("credentials/authorize", body)
        deadline = time.monotonic() + approval_seconds
        while status == 202:
            handle = data.get("handle")
            if not handle:
                raise RemoteSigningError(_("Dịch vụ ký số từ xa không trả về mã theo dõi yêu cầu."))
            if time.monotonic() + poll_seconds > deadline:
                raise ApprovalTimeout(
                    _(
                        "Người ký chưa xác nhận trên điện thoại trong %(seconds)s giây: văn bản "
                        "chưa được ký. Hãy mở ứng dụng ký số trên điện thoại, rồi thử lại."
                    )
                    % {"seconds": int(approval_seconds)}
                )
            time.sleep(poll_seconds)
            status, data = self.call("credentials/authorizeCheck", {"handle": handle})
        sad = data.get("SAD")
        if not sad:
            raise RemoteSigningError(_("Dịch vụ ký số từ xa không cấp mã kích hoạt chữ ký (SAD)."))
        return str(sad)

    def sign_hash(
        self,
        credential_id: str,
        sad: str,
        hashes: list[bytes],
        *,
        sign_algo: str,
        hash_oid: str | None = None,
        sign_algo_params: bytes | None = None,
    ) -> list[bytes]:
        body = {
            "credentialID": credential_id,
            "SAD": sad,
            "hashes": [_b64(h) for h in hashes],
            "signAlgo": sign_algo,
        }
        if hash_oid:
            body["hashAlgorithmOID"] = hash_oid
        if sign_algo_params:
            body["signAlgoParams"] = _b64(sign_algo_params)
        signatures = self.call("signatures/signHash", body)[1].get("signatures", [])
        if len(signatures) != len(hashes):
            raise RemoteSigningError(_("Dịch vụ ký số từ xa trả về số chữ ký không khớp."))
        return [base64.b64decode(s) for s in signatures]


class CscBatch:
    """The signatures one `with key.signer()` asks of a credential: hashes are gathered until
    every expected document has sent its own (or failed), up to `multisign` a request."""

    def __init__(
        self,
        client: CscClient,
        credential: CscCredential,
        *,
        expected: int = 1,
        pin: str | None = None,
        description: str = "",
        approval_seconds: float = 120,
        poll_seconds: float = 2,
    ):
        self.client = client
        self.credential = credential
        self.pin = pin
        self.description = description
        self.approval_seconds = approval_seconds
        self.poll_seconds = poll_seconds
        self._remaining = max(1, expected)
        self._pending: list[tuple[bytes, str, asyncio.Future]] = []
        self._lock = asyncio.Lock()

    async def submit(self, digest: bytes, digest_algorithm: str, algorithms: tuple) -> bytes:
        future = asyncio.get_running_loop().create_future()
        self._pending.append((digest, digest_algorithm, future))
        self._algorithms = algorithms
        await self._flush_when_ready()
        return await future

    async def withdraw(self) -> None:
        """A document failed before asking for its signature: stop waiting for it."""
        self._remaining = max(0, self._remaining - 1)
        await self._flush_when_ready()

    async def _flush_when_ready(self) -> None:
        wanted = min(self._remaining, self.credential.multisign)
        if not self._pending or len(self._pending) < wanted:
            return
        batch, self._pending = self._pending[:wanted], self._pending[wanted:]
        self._remaining -= len(batch)
        digests = [d for d, _m, _f in batch]
        try:
            # One request on the signer's phone at a time.
            async with self._lock:
                signatures = await asyncio.to_thread(self._sign_hashes, digests, batch[0][1])
        except Exception as exc:
            for _d, _m, future in batch:
                future.set_exception(exc)
        else:
            for (_d, _m, future), signature in zip(batch, signatures, strict=True):
                future.set_result(signature)
        await self._flush_when_ready()

    def _sign_hashes(self, digests: list[bytes], digest_algorithm: str) -> list[bytes]:
        sign_algo, hash_oid, params = self._algorithms
        description = self.description or _("motcua: ký %(n)s văn bản") % {"n": len(digests)}
        sad = self.client.authorize(
            self.credential.credential_id,
            digests,
            hash_oid=algos.DigestAlgorithmId(digest_algorithm).dotted,
            description=description,
            pin=self.pin,
            approval_seconds=self.approval_seconds,
            poll_seconds=self.poll_seconds,
        )
        return self.client.sign_hash(
            self.credential.credential_id,
            sad,
            digests,
            sign_algo=sign_algo,
            hash_oid=hash_oid,
            sign_algo_params=params,
        )


class CscSigner(Signer):
    """pyHanko signer over a CSC credential, one per document; the documents of one batch
    (`pades.sign_pdfs`) share a `CscBatch`, so that one approval on the phone covers them."""

    batched = True

    def __init__(self, batch: CscBatch):
        super().__init__(
            signing_cert=batch.credential.certificate,
            cert_registry=SimpleCertificateStore.from_certs(batch.credential.certificates),
        )
        self.batch = batch
        self.submitted = False

    def for_document(self) -> "CscSigner":
        return CscSigner(self.batch)

    async def release(self) -> None:
        """Called when the document's signing ends, however it ended."""
        if not self.submitted:
            self.submitted = True
            await self.batch.withdraw()

    def _raw_size(self) -> int:
        public = self.batch.credential.certificate.public_key
        if public.algorithm == "ec":
            return 2 * ((public.bit_size + 7) // 8) + 16
        return (public.bit_size + 7) // 8

    def _algorithms(self, digest_algorithm: str) -> tuple[str, str | None, bytes | None]:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm)
        dotted = mechanism["algorithm"].dotted
        params = mechanism["parameters"]
        params_der = params.dump() if params.native is not None else None
        hash_oid = algos.DigestAlgorithmId(digest_algorithm).dotted
        offered = self.batch.credential.key_algorithms
        if offered and dotted not in offered and RSA in offered:
            # The service signs raw RSA over a named hash (the common way of CSC services).
            return RSA, hash_oid, params_der
        return dotted, hash_oid if dotted == RSA else None, params_der

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run=False) -> bytes:
        if dry_run:
            return bytes(self._raw_size())
        digest = hashlib.new(digest_algorithm, data).digest()
        self.submitted = True
        return await self.batch.submit(digest, digest_algorithm, self._algorithms(digest_algorithm))
