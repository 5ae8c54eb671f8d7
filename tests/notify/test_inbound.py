"""Lookup by SMS and Zalo: a real code gets its state, anything else a short help once, a
flood is limited, "stop" turns the channel off; no answer carries the applicant's identity."""

import hashlib
import json

import pytest
from django.urls import reverse

from motcua.notify import inbound
from motcua.notify.models import Channel, Message, OptOut
from tests.world import bring_to

pytestmark = pytest.mark.django_db

PHONE = "0912345678"  # world.receive()'s applicant


@pytest.fixture
def dossier(world):
    return bring_to(world, "processing")


def mo(client, sender, text):
    return client.post(reverse("notify:sms_mo"), {"Phone": sender, "Message": text})


def replies(to):
    """What was answered to `to` (not the dossier's own notices)."""
    return list(Message.objects.filter(recipient=to, event="lookup").order_by("created_at"))


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("TRACUU 000.01.01.T99-260302-0001", ("lookup", "000.01.01.T99-260302-0001", "")),
        ("  tra cứu   000.01.01.t99-260302-0001 ", ("help", "", "")),
        ("tracuu 000.01.01.t99-260302-0001", ("lookup", "000.01.01.T99-260302-0001", "")),
        ("TC", ("stop", "", "")),
        ("tracuu huy", ("stop", "", "")),
        ("xin chao", ("help", "", "")),
        ("", ("help", "", "")),
    ],
)
def test_sms_texts_are_read_whatever_their_case_and_spacing(text, parsed):
    assert inbound.parse(text, keyword="TRACUU") == parsed


def test_a_real_code_from_the_applicant_s_own_number_is_answered(client, dossier):
    assert mo(client, "+84912345678", f"tracuu {dossier.code}").content == b"OK"
    (answer,) = replies("+84912345678")
    assert answer.channel == Channel.SMS and answer.event == "lookup"
    assert answer.text.startswith(f"Ho so {dossier.code}: Dang xu ly.")
    assert "Nguyen" not in answer.text and "Bình" not in answer.text  # nobody's name
    assert answer.dossier_id == dossier.pk


def test_a_wrong_code_or_another_number_gets_help_once_an_hour(client, dossier, settings):
    settings.MOTCUA = {**settings.MOTCUA, "NOTIFY_SMS_SHORT_NUMBER": "8079"}
    mo(client, "0987000111", f"TRACUU {dossier.code}")  # someone else's number: no proof
    mo(client, "0987000111", "TRACUU 000.99.99.X00-000000-0000")
    mo(client, "0987000111", "chao ban")
    (help_,) = replies("0987000111")
    assert "soan TRACUU <ma ho so> gui 8079" in help_.text
    assert dossier.code not in help_.text


def test_a_flood_from_one_number_is_limited_and_nothing_crashes(client, dossier, caplog):
    for n in range(200):
        assert (
            mo(client, PHONE, f"TRACUU {dossier.code}" if n % 2 else "\x00💥" * n).status_code
            == 200
        )
    answered = replies(PHONE)
    assert 1 <= len(answered) <= 20  # NOTIFY_INBOUND_PER_DAY
    assert "over the daily limit" in caplog.text


def test_stop_by_sms_turns_sms_off_for_that_number(client, world):
    mo(client, "0912 345 678", "TC")
    assert OptOut.objects.filter(channel=Channel.SMS, address="84912345678").exists()
    dossier = world.receive(
        applicant={"name": "Nguyễn Văn Bình", "phone": PHONE, "notify_by": ["sms"]}
    )
    assert dossier.messages.count() == 0


def _zalo(client, text, secret="oa-secret", user="7231"):
    body = {
        "app_id": "4321",
        "event_name": "user_send_text",
        "sender": {"id": user},
        "recipient": {"id": "oa-1"},
        "message": {"text": text, "msg_id": "m-1"},
        "timestamp": "1699003881354",
        "user_id_by_app": "u-1",
    }
    raw = json.dumps(body, ensure_ascii=False)
    mac = hashlib.sha256((body["app_id"] + raw + body["timestamp"] + secret).encode()).hexdigest()
    return client.post(
        reverse("notify:zalo_events"),
        raw.encode(),
        content_type="application/json",
        HTTP_X_ZEVENT_SIGNATURE=f"mac={mac}",
    )


def test_zalo_answers_the_code_with_the_phone_digits_and_helps_otherwise(
    client, dossier, monkeypatch
):
    monkeypatch.setenv("ZALO_OA_SECRET_KEY", "oa-secret")
    assert _zalo(client, f"Cho tôi hỏi hồ sơ {dossier.code} 5678").json() == {"error": 0}
    (answer,) = replies("7231")
    assert answer.channel == Channel.ZALO_OA
    assert answer.text.startswith(f"Hồ sơ {dossier.code}: Đang xử lý.")
    _zalo(client, f"{dossier.code}", user="8000")  # without the digits: help
    (help_,) = replies("8000")
    assert "4 số cuối" in help_.text


def test_a_forged_zalo_message_is_refused_and_answered_nothing(client, dossier, monkeypatch):
    monkeypatch.setenv("ZALO_OA_SECRET_KEY", "oa-secret")
    assert _zalo(client, f"{dossier.code} 5678", secret="gia-mao").status_code == 403
    assert replies("7231") == []


def test_the_mo_token_is_required_when_set(client, dossier, monkeypatch):
    monkeypatch.setenv("SMS_MO_TOKEN", "mo-123")
    assert mo(client, PHONE, f"TRACUU {dossier.code}").status_code == 403
    url = reverse("notify:sms_mo") + "?t=mo-123"
    assert (
        client.post(url, {"Phone": PHONE, "Message": f"TRACUU {dossier.code}"}).status_code == 200
    )
    assert [m.event for m in replies(PHONE)] == ["lookup"]
