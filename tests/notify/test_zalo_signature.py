import hashlib

import pytest

from motcua.notify.zalo_signature import verify

SECRET = "oa-secret-key-for-tests"
APP_ID = "3427486587123456789"
TIMESTAMP = "1699003881354"
# INTEGRATIONS.md's example of a citizen's message, with concrete values, as the raw bytes Zalo
# would send (UTF-8, Zalo's own spacing).
BODY = (
    '{"app_id": "3427486587123456789", "event_name": "user_send_text", '
    '"sender": {"id": "2512523625412515"}, "recipient": {"id": "579745863508352884"}, '
    '"message": {"text": "Tra cứu 000.00.01.H12-240101-0001", "msg_id": "a3c1f2e0b9d84e7f"}, '
    '"timestamp": "1699003881354", "user_id_by_app": "5523419838102553871"}'
).encode()


def mac(body: bytes, secret: str = SECRET) -> str:
    """Computed here from the published rule, not with the code under test."""
    return (
        "mac="
        + hashlib.sha256(APP_ID.encode() + body + TIMESTAMP.encode() + secret.encode()).hexdigest()
    )


def test_the_example_message_verifies():
    assert verify(BODY, mac(BODY), SECRET) is True


def test_the_hash_is_plain_sha256_of_the_concatenation():
    # Pinned: the same rule written out as one string, so a change to the order is caught.
    text = APP_ID + BODY.decode() + TIMESTAMP + SECRET
    assert verify(BODY, "mac=" + hashlib.sha256(text.encode()).hexdigest(), SECRET) is True
    assert (
        verify(BODY, "mac=" + hashlib.sha256(BODY + SECRET.encode()).hexdigest(), SECRET) is False
    )


def test_a_changed_byte_in_the_body_is_refused():
    forged = BODY.replace(b"0001", b"0002")
    assert forged != BODY
    assert verify(forged, mac(BODY), SECRET) is False


def test_reserialised_json_is_refused_since_the_hash_covers_the_raw_bytes():
    respaced = BODY.replace(b'": ', b'":')
    assert verify(respaced, mac(BODY), SECRET) is False
    assert verify(respaced, mac(respaced), SECRET) is True


def test_a_wrong_or_empty_secret_is_refused():
    assert verify(BODY, mac(BODY), "another-secret") is False
    assert verify(BODY, mac(BODY, ""), "") is False


@pytest.mark.parametrize(
    "header",
    [
        "",
        None,
        "mac=",
        "mac",
        "sha256=" + mac(BODY)[4:],
        mac(BODY)[4:],
        "mac=zz" + mac(BODY)[6:],
        mac(BODY)[:-1],
        mac(BODY) + "0",
        "mac=đ" + mac(BODY)[5:],
    ],
)
def test_a_missing_or_garbled_header_is_refused(header):
    assert verify(BODY, header, SECRET) is False


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"\xff\xfe{}",
        b'["app_id", "timestamp"]',
        b'{"app_id": "3427486587123456789", "event_name": "follow"}',
        b'{"app_id": {"x": 1}, "timestamp": "1699003881354"}',
        b"[" * 100000,
    ],
)
def test_a_body_that_is_not_a_signed_event_is_refused(body):
    assert verify(body, mac(body), SECRET) is False


def test_header_whitespace_and_hex_case_do_not_matter():
    assert verify(BODY, " MAC=" + mac(BODY)[4:].upper() + " ", SECRET) is True
