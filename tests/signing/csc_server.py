"""A Cloud Signature Consortium API v2 service for the tests, on 127.0.0.1: credentials/list,
credentials/info, credentials/authorize (approval on the "phone": at once, after some polls
of credentials/authorizeCheck, refused, or never), signatures/signHash with the SAD bound to
the hashes (SCAL 2). It signs with keys of the tests' own PKI and records every call.

certomancer-csc-dummy was considered: it speaks CSC v1 (/csc/v1), has no asynchronous
approval (HTTP 202 and authorizeCheck) and needs a certomancer PKI, so it does not fit.
"""

import base64
import json
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

SHA256 = "2.16.840.1.101.3.4.2.1"
RSA = "1.2.840.113549.1.1.1"
SHA256_RSA = "1.2.840.113549.1.1.11"


class CscTestService:
    def __init__(self, credentials: dict, *, token: str = "csc-test-token", multisign: int = 10):
        self.credentials = credentials  # id -> (Issued, [chain certificates])
        self.token = token
        self.multisign = multisign
        self.approval = "immediate"  # or "after:N", "deny", "never"
        self.calls: list[tuple[str, dict]] = []
        self._pending: dict[str, dict] = {}
        self._sads: dict[str, dict] = {}
        self._lock = threading.Lock()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                try:
                    body = json.loads(self.rfile.read(length) or b"{}")
                except ValueError:
                    return self._send(400, {"error": "invalid_request"})
                if self.headers.get("Authorization") != f"Bearer {service.token}":
                    return self._send(401, {"error": "invalid_token"})
                method = self.path.removeprefix("/csc/v2/")
                with service._lock:
                    service.calls.append((method, body))
                    status, answer = service.handle(method, body)
                self._send(status, answer)

            def _send(self, status, answer):
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/csc/v2"

    def start(self) -> "CscTestService":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def methods(self) -> list[str]:
        return [method for method, _body in self.calls]

    # --- the API ---------------------------------------------------------------------------

    def handle(self, method: str, body: dict) -> tuple[int, dict]:
        handler = {
            "info": self.info,
            "credentials/list": self.credentials_list,
            "credentials/info": self.credentials_info,
            "credentials/authorize": self.authorize,
            "credentials/authorizeCheck": self.authorize_check,
            "signatures/signHash": self.sign_hash,
        }.get(method)
        if handler is None:
            return 404, {"error": "invalid_request", "error_description": "Unknown method"}
        return handler(body)

    def info(self, body):
        return 200, {
            "specs": "2.0.0.2",
            "name": "motcua CSC test service",
            "lang": "vi-VN",
            "authType": ["external"],
            "methods": [
                "credentials/list",
                "credentials/info",
                "credentials/authorize",
                "credentials/authorizeCheck",
                "signatures/signHash",
            ],
        }

    def credentials_list(self, body):
        return 200, {"credentialIDs": list(self.credentials)}

    def _credential(self, body):
        issued, chain = self.credentials.get(str(body.get("credentialID")), (None, None))
        return issued, chain

    def credentials_info(self, body):
        issued, chain = self._credential(body)
        if issued is None:
            return 400, {
                "error": "invalid_request",
                "error_description": "Invalid parameter credentialID",
            }
        ders = [
            base64.b64encode(c.public_bytes(serialization.Encoding.DER)).decode()
            for c in [issued.certificate, *chain]
        ]
        return 200, {
            "key": {"status": "enabled", "algo": [SHA256_RSA, RSA], "len": 2048},
            "cert": {"status": "valid", "certificates": ders, "serialNumber": issued.serial_hex},
            "auth": {"mode": "explicit"},
            "SCAL": "2",
            "multisign": self.multisign,
        }

    def authorize(self, body):
        issued, _chain = self._credential(body)
        if issued is None:
            return 400, {
                "error": "invalid_request",
                "error_description": "Invalid parameter credentialID",
            }
        hashes = body.get("hashes") or []
        if body.get("numSignatures") != len(hashes) or not hashes:
            return 400, {"error": "invalid_request", "error_description": "numSignatures mismatch"}
        if len(hashes) > self.multisign:
            return 400, {
                "error": "invalid_request",
                "error_description": "Numbers of signatures is too high",
            }
        grant = {"credentialID": body["credentialID"], "hashes": set(hashes)}
        if self.approval == "immediate":
            return 200, {"SAD": self._grant(grant)}
        handle = secrets.token_hex(8)
        polls = int(self.approval.split(":")[1]) if self.approval.startswith("after:") else -1
        self._pending[handle] = {**grant, "polls_left": polls}
        return 202, {"handle": handle}

    def authorize_check(self, body):
        pending = self._pending.get(str(body.get("handle")))
        if pending is None:
            return 400, {
                "error": "invalid_request",
                "error_description": "Invalid parameter handle",
            }
        if self.approval == "deny":
            del self._pending[body["handle"]]
            return 400, {"error": "access_denied", "error_description": "The user refused"}
        if pending["polls_left"] > 0:
            pending["polls_left"] -= 1
        if pending["polls_left"] != 0:
            return 202, {"handle": body["handle"]}
        del self._pending[body["handle"]]
        return 200, {"SAD": self._grant(pending)}

    def _grant(self, grant) -> str:
        sad = secrets.token_urlsafe(16)
        self._sads[sad] = grant
        return sad

    def sign_hash(self, body):
        issued, _chain = self._credential(body)
        grant = self._sads.pop(str(body.get("SAD")), None)
        if issued is None or grant is None or grant["credentialID"] != body.get("credentialID"):
            return 400, {"error": "invalid_request", "error_description": "Invalid parameter SAD"}
        digests = body.get("hashes") or []
        if not digests or not set(digests) <= grant["hashes"]:
            return 400, {
                "error": "invalid_request",
                "error_description": "Hash is not authorized by the SAD",
            }
        algo = body.get("signAlgo")
        if algo == RSA and body.get("hashAlgorithmOID") != SHA256:
            return 400, {
                "error": "invalid_request",
                "error_description": "Missing hashAlgorithmOID",
            }
        if algo not in (RSA, SHA256_RSA):
            return 400, {
                "error": "invalid_request",
                "error_description": "Invalid parameter signAlgo",
            }
        signatures = [
            base64.b64encode(
                issued.key.sign(base64.b64decode(h), padding.PKCS1v15(), Prehashed(hashes.SHA256()))
            ).decode()
            for h in digests
        ]
        return 200, {"signatures": signatures}
