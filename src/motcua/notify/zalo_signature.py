"""The check of a Zalo OA webhook's `X-ZEvent-Signature` (INTEGRATIONS.md).

Zalo signs `app_id + raw body + timestamp + OA secret key` with plain SHA-256 (not HMAC), with
`app_id` and `timestamp` read from the JSON body itself; the header is `mac=<hex>`. The hash is
taken over the bytes received, never over re-serialised JSON.
"""

import hashlib
import hmac
import json


def _field(body: dict, name: str) -> bytes | None:
    value = body.get(name)
    # bool is an int: a body saying "timestamp": true is not a signed Zalo event.
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    return str(value).encode()


def verify(raw_body: bytes, header_value: str, oa_secret_key: str) -> bool:
    """Whether the body was signed with our OA secret key. Never raises: anything malformed,
    and an empty secret (which would let anyone sign), is simply not verified."""
    if not isinstance(raw_body, bytes) or not isinstance(header_value, str):
        return False
    if not isinstance(oa_secret_key, str) or not oa_secret_key:
        return False
    scheme, _, given = header_value.strip().partition("=")
    if scheme.strip().lower() != "mac" or not given.strip():
        return False
    try:
        body = json.loads(raw_body)
    except (ValueError, RecursionError):
        return False
    if not isinstance(body, dict):
        return False
    app_id, timestamp = _field(body, "app_id"), _field(body, "timestamp")
    if app_id is None or timestamp is None:
        return False
    expected = hashlib.sha256(app_id + raw_body + timestamp + oa_secret_key.encode()).hexdigest()
    try:
        given_bytes = given.strip().lower().encode("ascii")
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(expected.encode("ascii"), given_bytes)
