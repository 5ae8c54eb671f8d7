"""A small but real OpenID Connect provider for tests: discovery, the authorization code flow,
RS256-signed ID tokens, userinfo and a key set, served over HTTP on 127.0.0.1.

It signs its tokens itself, with `cryptography`, so the relying party's JWT library is checked
against an independent implementation rather than against itself. Sign-in is immediate: the
authorization endpoint stands for a citizen who has already proved who they are, and issues a
code for the claims in `next_user`. A test makes the provider misbehave through `signing_key`,
`id_token_changes` and `userinfo_changes`, and reads what the relying party sent in
`authorizations` and `token_requests`.
"""

import base64
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote_plus, urlencode, urlsplit

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

CLIENT_ID = "motcua-thu-nghiem"
CLIENT_SECRET = "bi-mat-cua-ung-dung-thu-nghiem"
REDIRECT_URI = "http://testserver/oidc/callback/"  # Django's test client is "testserver"
BACKEND = "motcua.portal.identity.CitizenOIDCBackend"
CODE_LIFETIME = 60
TOKEN_LIFETIME = 300


def new_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int_bytes(number: int) -> bytes:
    return number.to_bytes((number.bit_length() + 7) // 8, "big")


def sign_jwt(claims: dict, key: rsa.RSAPrivateKey, kid: str) -> str:
    """A compact JWS (RFC 7515) with RS256: RSASSA-PKCS1-v1_5 over SHA-256."""
    header = {"alg": "RS256", "typ": "JWT", "kid": kid}
    signing_input = ".".join(
        b64url(json.dumps(part, separators=(",", ":")).encode()) for part in (header, claims)
    )
    signature = key.sign(signing_input.encode("ascii"), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url(signature)}"


class OIDCProvider:
    def __init__(
        self,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
        redirect_uris: tuple[str, ...] = (REDIRECT_URI,),
    ):
        self.client_id = client_id
        self.client_secret = client_secret
        self.redirect_uris = redirect_uris
        self.key = new_rsa_key()
        self.kid = b64url(secrets.token_bytes(8))
        # What the next sign-in vouches for; `sub` is the person's identifier at this provider.
        self.next_user: dict = {
            "sub": "cong-dan-1",
            "name": "Nguyễn Văn An",
            "citizen_id": "001090012345",
            "phone_number": "+84912345678",
            "phone_number_verified": True,
            "email": "an.nguyen@example.vn",
            "email_verified": True,
        }
        # Misbehaviour, for tests of refusal: the key tokens are signed with (published or not,
        # under the same kid), and claims to add to or change in the ID token and the userinfo.
        self.signing_key: rsa.RSAPrivateKey = self.key
        self.id_token_changes: dict = {}
        self.userinfo_changes: dict = {}
        # What the relying party sent, for tests that check the request itself.
        self.authorizations: list[dict] = []
        self.token_requests: list[dict] = []
        self._codes: dict[str, dict] = {}
        self._tokens: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def issuer(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "OIDCProvider":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # --- documents -----------------------------------------------------------------------

    def configuration(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email", "phone"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "claims_supported": ["sub", "name", "email", "email_verified", "phone_number"],
        }

    def key_set(self) -> dict:
        public = self.key.public_key().public_numbers()
        jwk = {
            "kty": "RSA",
            "use": "sig",
            "alg": "RS256",
            "kid": self.kid,
            "n": b64url(_int_bytes(public.n)),
            "e": b64url(_int_bytes(public.e)),
        }
        return {"keys": [jwk]}

    # --- the flow ------------------------------------------------------------------------

    def authorize(self, query: dict) -> tuple[int, dict, dict | None]:
        """(status, headers, error body): a redirect back to the client, or an error page when
        the client or its redirect address is unknown (never redirect to an unchecked one)."""
        self.authorizations.append(query)
        redirect_uri = query.get("redirect_uri", "")
        if query.get("client_id") != self.client_id:
            return 400, {}, {"error": "invalid_client"}
        if redirect_uri not in self.redirect_uris:
            return 400, {}, {"error": "invalid_request", "error_description": "redirect_uri"}
        back = {"state": query["state"]} if "state" in query else {}
        if query.get("response_type") != "code":
            back["error"] = "unsupported_response_type"
        elif "openid" not in query.get("scope", "").split():
            back["error"] = "invalid_scope"
        else:
            code = secrets.token_urlsafe(24)
            with self._lock:
                self._codes[code] = {
                    "claims": dict(self.next_user),
                    "nonce": query.get("nonce"),
                    "redirect_uri": redirect_uri,
                    "expires": time.time() + CODE_LIFETIME,
                }
            back["code"] = code
        separator = "&" if "?" in redirect_uri else "?"
        return 302, {"Location": redirect_uri + separator + urlencode(back)}, None

    def token(self, form: dict, authorization: str) -> tuple[int, dict]:
        self.token_requests.append({"form": form, "authorization": authorization})
        client = self._client_credentials(form, authorization)
        if client != (self.client_id, self.client_secret):
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        with self._lock:
            grant = self._codes.pop(form.get("code", ""), None)  # a code is good once
        if (
            grant is None
            or grant["expires"] < time.time()
            or grant["redirect_uri"] != form.get("redirect_uri")
        ):
            return 400, {"error": "invalid_grant"}
        now = int(time.time())
        claims = grant["claims"]
        id_token = {
            "iss": self.issuer,
            "sub": claims["sub"],
            "aud": self.client_id,
            "exp": now + TOKEN_LIFETIME,
            "iat": now,
            "auth_time": now,
        }
        if grant["nonce"] is not None:
            id_token["nonce"] = grant["nonce"]
        id_token.update(self.id_token_changes)
        access_token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[access_token] = {**claims, **self.userinfo_changes}
        return 200, {
            "access_token": access_token,
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME,
            "id_token": sign_jwt(id_token, self.signing_key, self.kid),
        }

    def userinfo(self, authorization: str) -> dict | None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer":
            return None
        with self._lock:
            return self._tokens.get(token.strip())

    @staticmethod
    def _client_credentials(form: dict, authorization: str) -> tuple[str, str] | None:
        """client_secret_basic (RFC 6749 §2.3.1: form-encoded, then Basic) or client_secret_post;
        a request using both is refused, as the RFC asks."""
        scheme, _, value = authorization.partition(" ")
        in_body = "client_secret" in form
        if scheme.lower() == "basic":
            if in_body:
                return None
            try:
                decoded = base64.b64decode(value, validate=True).decode()
            except ValueError:
                return None
            client_id, colon, secret = decoded.partition(":")
            return (unquote_plus(client_id), unquote_plus(secret)) if colon else None
        if in_body:
            return form.get("client_id", ""), form["client_secret"]
        return None


def _handler_for(provider: OIDCProvider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format, *args):  # keep test output clean
            pass

        def do_GET(self):
            url = urlsplit(self.path)
            if url.path == "/.well-known/openid-configuration":
                self._json(200, provider.configuration())
            elif url.path == "/jwks":
                self._json(200, provider.key_set())
            elif url.path == "/authorize":
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                status, headers, error = provider.authorize(query)
                if error is not None:
                    self._json(status, error)
                else:
                    self._send(status, b"", headers)
            elif url.path == "/userinfo":
                self._userinfo()
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self):
            url = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode()
            if url.path == "/token":
                if not self.headers.get("Content-Type", "").startswith(
                    "application/x-www-form-urlencoded"
                ):
                    self._json(400, {"error": "invalid_request"})
                    return
                form = {k: v[0] for k, v in parse_qs(body).items()}
                status, answer = provider.token(form, self.headers.get("Authorization", ""))
                self._json(status, answer, {"Cache-Control": "no-store"})
            elif url.path == "/userinfo":
                self._userinfo()
            else:
                self._json(404, {"error": "not_found"})

        def _userinfo(self):
            claims = provider.userinfo(self.headers.get("Authorization", ""))
            if claims is None:
                self._json(
                    401,
                    {"error": "invalid_token"},
                    {"WWW-Authenticate": 'Bearer error="invalid_token"'},
                )
            else:
                self._json(200, claims)

        def _json(self, status, data, headers=None):
            body = json.dumps(data, ensure_ascii=False).encode()
            self._send(status, body, {"Content-Type": "application/json", **(headers or {})})

        def _send(self, status, body, headers):
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def oidc_provider(settings):
    """A running provider, and Django configured to let citizens sign in through it."""
    from urllib.request import ProxyHandler, build_opener

    provider = OIDCProvider().start()
    try:
        # Read the discovery document, as a deployer would to fill in MOTCUA_OIDC_*.
        opener = build_opener(ProxyHandler({}))
        with opener.open(f"{provider.issuer}/.well-known/openid-configuration", timeout=5) as r:
            discovered = json.load(r)
        settings.OIDC_RP_CLIENT_ID = provider.client_id
        settings.OIDC_RP_CLIENT_SECRET = provider.client_secret
        settings.OIDC_OP_ISSUER = discovered["issuer"]
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = discovered["authorization_endpoint"]
        settings.OIDC_OP_TOKEN_ENDPOINT = discovered["token_endpoint"]
        settings.OIDC_OP_USER_ENDPOINT = discovered["userinfo_endpoint"]
        settings.OIDC_OP_JWKS_ENDPOINT = discovered["jwks_uri"]
        settings.OIDC_RP_SIGN_ALGO = "RS256"
        settings.OIDC_TIMEOUT = 5
        # A developer's HTTP(S)_PROXY must not swallow requests to 127.0.0.1.
        settings.OIDC_PROXY = {"http": None, "https": None}
        if BACKEND not in settings.AUTHENTICATION_BACKENDS:
            settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, BACKEND]
        yield provider
    finally:
        provider.stop()
