"""The outbox: one row per chosen channel with the change that causes it, sent once, retried
when it may succeed later, given up with its reason otherwise, and updated by receipts."""

import hashlib
import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from motcua.dossiers import services
from motcua.notify import services as notify
from motcua.notify.channels import Permanent, Sent, Transient
from motcua.notify.models import Channel, Event, Message, OptOut, Template
from motcua.org.models import Role

pytestmark = pytest.mark.django_db

APPLICANT = {
    "name": "Nguyễn Văn Bình",
    "phone": "0912345678",
    "email": "binh@example.vn",
    "id_number": "079123456789",
}


def receive(world, notify_by=None, **kw):
    applicant = dict(APPLICANT, **kw)
    if notify_by is not None:
        applicant["notify_by"] = notify_by
    return world.receive(applicant=applicant)


@pytest.fixture
def zns_on(db):
    Template.objects.filter(channel=Channel.ZNS).update(active=True, zns_template_id="231512")


class FakeChannel:
    """Answers from a script; records what it was asked to send."""

    def __init__(self, *answers):
        self.answers, self.sent = list(answers), []

    def send(self, message):
        self.sent.append(message)
        answer = self.answers.pop(0) if self.answers else Sent("p-1", "ok")
        if isinstance(answer, Exception):
            raise answer
        return answer


@pytest.fixture
def fake(monkeypatch):
    channel = FakeChannel()
    monkeypatch.setattr(notify, "channel_for", lambda kind: channel)
    return channel


def test_each_event_queues_one_row_per_chosen_channel(world, zns_on):
    dossier = receive(world, notify_by=["sms", "zns"])
    rows = list(dossier.messages.order_by("channel"))
    assert [(m.channel, m.event, m.recipient) for m in rows] == [
        ("sms", "received", "0912345678"),
        ("zns", "received", "0912345678"),
    ]
    assert rows[0].text.startswith(f"Ho so {dossier.code} da duoc tiep nhan. Hen tra ket qua:")
    assert rows[1].zns_template_id == "231512" and "đã được" in rows[1].text
    # An internal hand-over tells nobody; a supplement request is told on both channels.
    services.dossier_forward(actor=world.staff[Role.RECEPTION_OFFICER], dossier=dossier)
    assert dossier.messages.count() == 2
    services.dossier_request_supplement(
        actor=world.staff[Role.SPECIALIST], dossier=dossier, missing_items=["Giấy chứng sinh"]
    )
    supplement = dossier.messages.filter(event=Event.SUPPLEMENT)
    assert sorted(supplement.values_list("channel", flat=True)) == ["sms", "zns"]
    assert "can bo sung: Giay chung sinh" in supplement.get(channel="sms").text


def test_nothing_is_queued_when_the_change_is_rolled_back(world):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        receive(world, notify_by=["sms"])
        raise RuntimeError("the request failed after the reception")
    assert Message.objects.count() == 0


def test_a_choice_without_its_contact_is_refused_and_changes_nothing(world):
    from motcua.dossiers.errors import InvalidInput
    from motcua.dossiers.models import Dossier

    with pytest.raises(InvalidInput) as refused:
        receive(world, notify_by=["sms"], phone="")
    assert "số điện thoại" in refused.value.fields["applicant.notify_by"][0]
    with pytest.raises(InvalidInput) as refused:
        receive(world, notify_by=[])
    assert "ít nhất một" in refused.value.fields["applicant.notify_by"][0]
    assert Dossier.objects.count() == 0 and Message.objects.count() == 0


def test_a_number_that_said_stop_gets_nothing(world):
    OptOut.objects.create(channel=Channel.SMS, address="84912345678")
    dossier = receive(world, notify_by=["sms", "email"])
    assert list(dossier.messages.values_list("channel", flat=True)) == ["email"]


def test_sent_once_with_the_provider_id(world, fake):
    dossier = receive(world, notify_by=["sms"])
    message = dossier.messages.get()
    assert notify.deliver(message.pk) == "sent"
    message.refresh_from_db()
    assert (message.status, message.provider_id, message.attempts) == ("sent", "p-1", 1)
    assert fake.sent[0].id == str(message.pk)
    # Delivered again (a duplicate task): nothing more is sent.
    assert notify.deliver(message.pk) == "nothing to do"
    assert len(fake.sent) == 1


def test_a_transient_failure_is_retried_later_and_succeeds(world, fake):
    fake.answers = [Transient("eSMS: HTTP 503", "busy")]
    message = receive(world, notify_by=["sms"]).messages.get()
    assert notify.deliver(message.pk) == "retry"
    message.refresh_from_db()
    assert message.status == "queued" and message.reason == "eSMS: HTTP 503"
    assert message.next_attempt_at > timezone.now()
    # Too early: nothing is sent; at its time it goes, with the same id.
    assert notify.deliver(message.pk) == "nothing to do"
    Message.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert notify.deliver(message.pk) == "sent"
    assert [m.id for m in fake.sent] == [str(message.pk)] * 2
    message.refresh_from_db()
    assert (message.status, message.attempts, message.reason) == ("sent", 2, "")


def test_a_permanent_failure_is_not_retried_and_shows_why(world, fake):
    fake.answers = [Permanent("eSMS 146: mẫu tin chưa đăng ký", '{"CodeResult":"146"}')]
    message = receive(world, notify_by=["sms"]).messages.get()
    assert notify.deliver(message.pk) == "failed"
    message.refresh_from_db()
    assert message.status == "failed" and "146" in message.reason
    assert message.answer == '{"CodeResult":"146"}'
    assert notify.deliver(message.pk) == "nothing to do" and len(fake.sent) == 1


def test_retries_end_and_the_message_is_given_up(world, fake, settings):
    settings.MOTCUA = {**settings.MOTCUA, "NOTIFY_MAX_ATTEMPTS": 2}
    fake.answers = [Transient("timeout"), Transient("timeout")]
    message = receive(world, notify_by=["sms"]).messages.get()
    notify.deliver(message.pk)
    Message.objects.filter(pk=message.pk).update(next_attempt_at=None)
    assert notify.deliver(message.pk) == "given_up"
    message.refresh_from_db()
    assert message.status == "given_up" and "2 lần" in message.reason


def test_a_worker_killed_mid_send_leaves_a_message_sent_again_with_the_same_id(world, fake):
    message = receive(world, notify_by=["sms"]).messages.get()
    # The worker marked it and called the provider, then died before recording the answer.
    assert notify._claim(message.pk) is not None
    # Another worker within the lease does not send it (the first may still be at it) …
    assert notify.deliver(message.pk) == "nothing to do" and fake.sent == []
    # … after the lease, the re-run sends it under the same id: eSMS drops the copy (124).
    Message.objects.filter(pk=message.pk).update(
        sending_since=timezone.now() - timedelta(minutes=5)
    )
    assert notify.deliver(message.pk) == "sent"
    assert fake.sent[0].id == str(message.pk)
    message.refresh_from_db()
    assert message.attempts == 2


def test_esms_receipts_mark_delivered_once(world, fake, client):
    message = receive(world, notify_by=["sms"]).messages.get()
    notify.deliver(message.pk)
    url = reverse("notify:esms_receipt")
    assert client.post(url, {"SMSID": "p-1", "SendStatus": "5"}).content == b"OK"
    message.refresh_from_db()
    first = message.delivered_at
    assert message.status == "delivered" and first is not None
    # A replay, an unknown id and a non-final status change nothing and are acknowledged.
    for body in ({"SMSID": "p-1", "SendStatus": "5"}, {"SMSID": "khong-co", "SendStatus": "5"}):
        assert client.post(url, body).status_code == 200
    assert client.get(url, {"SMSID": "p-1", "SendStatus": "3"}).status_code == 200
    message.refresh_from_db()
    assert message.status == "delivered" and message.delivered_at == first


def test_esms_receipts_need_the_callback_token_when_one_is_set(world, fake, client, monkeypatch):
    monkeypatch.setenv("ESMS_CALLBACK_TOKEN", "bi-mat-123")
    message = receive(world, notify_by=["sms"]).messages.get()
    notify.deliver(message.pk)
    assert "?t=bi-mat-123" in fake.sent[0].callback_url
    url = reverse("notify:esms_receipt")
    client.post(url, {"SMSID": "p-1", "SendStatus": "5"})
    assert Message.objects.get(pk=message.pk).status == "sent"
    client.post(url + "?t=bi-mat-123", {"SMSID": "p-1", "SendStatus": "5"})
    assert Message.objects.get(pk=message.pk).status == "delivered"


def _zalo_post(client, body: dict, secret="oa-secret", forged=False):
    raw = json.dumps(body).encode()
    mac = hashlib.sha256(
        (body["app_id"] + raw.decode() + body["timestamp"] + secret).encode()
    ).hexdigest()
    if forged:
        mac = mac[::-1]
    return client.post(
        reverse("notify:zalo_events"),
        raw,
        content_type="application/json",
        HTTP_X_ZEVENT_SIGNATURE=f"mac={mac}",
    )


@pytest.mark.parametrize("channel", [Channel.ZALO_OA, Channel.ZNS])
def test_zalo_receipts_need_its_signature(world, client, monkeypatch, channel):
    """Zalo reports an OA reply and a ZNS message received, then read, by their msg_id."""
    monkeypatch.setenv("ZALO_OA_SECRET_KEY", "oa-secret")
    dossier = receive(world, notify_by=["sms"])
    message = Message.objects.create(
        channel=channel,
        recipient="7231" if channel == Channel.ZALO_OA else "84912345678",
        event=Event.LOOKUP,
        text="…",
        dossier=dossier,
        status=Message.Status.SENT,
        provider_id="zmsg-9",
    )
    body = {
        "app_id": "4321",
        "event_name": "user_received_message",
        "sender": {"id": "oa"},
        "recipient": {"id": "7231"},
        "message": {"msg_id": "zmsg-9"},
        "timestamp": "1699003881354",
    }
    assert _zalo_post(client, body, forged=True).status_code == 403
    assert Message.objects.get(pk=message.pk).status == "sent"
    assert _zalo_post(client, body).json() == {"error": 0}
    assert Message.objects.get(pk=message.pk).status == "delivered"
    seen = dict(body, event_name="user_seen_message", message={"msg_ids": ["zmsg-9"]})
    _zalo_post(client, seen)
    message.refresh_from_db()
    assert message.status == "seen" and message.seen_at is not None


def test_the_answer_to_feedback_goes_to_the_outbox(world, client):
    from motcua.portal.models import Feedback
    from motcua.portal.services import feedback_answer

    item = Feedback.objects.create(
        title="Giờ làm việc",
        content="Xin mở cửa thứ Bảy.",
        agency=world.commune_ubnd,
        sender_name="Lê Văn Nam",
        sender_phone="0903111222",
    )
    feedback_answer(
        actor=world.staff[Role.AGENCY_LEADER], feedback=item, answer="Xã sẽ mở cửa thứ Bảy."
    )
    (message,) = item.messages.all()
    assert (message.channel, message.recipient, message.event) == (
        "sms",
        "0903111222",
        "feedback_answered",
    )
    assert "da duoc tra loi" in message.text and str(item.reference) in message.text


@pytest.mark.parametrize(
    ("text", "complaint"),
    [
        ("Ho so {ma_ho_so} {khong_co}", "{khong_co}"),
        ("Ho so {ma_ho_so", "ngoặc nhọn"),
        ("Hồ sơ {ma_ho_so} " + "đã được tiếp nhận, " * 20, "tối đa 3"),
    ],
)
def test_a_template_that_cannot_be_sent_is_refused_on_save(text, complaint):
    template = Template(event=Event.RECEIVED, channel=Channel.SMS, text=text)
    with pytest.raises(ValidationError) as refused:
        template.full_clean()
    assert complaint in str(refused.value)


def test_the_starting_templates_all_pass_their_own_checks():
    templates = list(Template.objects.all())
    assert {t.channel for t in templates} == {"sms", "zns"}
    for t in templates:
        if t.channel == Channel.ZNS:
            t.zns_template_id = "1"
        t.full_clean()
