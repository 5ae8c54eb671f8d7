"""Each real adapter's request bytes against INTEGRATIONS.md, and every listed answer, through
httpx.MockTransport (no network)."""

import base64
import json
import logging
import smtplib
from datetime import timedelta
from urllib.parse import parse_qs

import httpx
import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from motcua.notify.channels import (
    Channel,
    Outgoing,
    Permanent,
    Sent,
    Transient,
    channel_for,
    phone_e164_vn,
)
from motcua.notify.channels.email import EmailChannel
from motcua.notify.channels.esms import ESMSChannel
from motcua.notify.channels.local import LocalChannel
from motcua.notify.channels.speedsms import SpeedSMSChannel
from motcua.notify.channels.zalo import OAChannel, ZNSChannel
from motcua.notify.models import ProviderToken

ESMS_URL = "https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/"
SPEEDSMS_URL = "https://api.speedsms.vn/index.php/sms/send"
ZNS_URL = "https://business.openapi.zalo.me/message/template"
OA_URL = "https://openapi.zalo.me/v3.0/oa/message/cs"
REFRESH_URL = "https://oauth.zaloapp.com/v4/oa/access_token"

TEXT_ASCII = "Ho so 000.00.01.H12-240101-0001 da co ket qua."
TEXT_VI = "Hồ sơ 000.00.01.H12-240101-0001 đã có kết quả."


class Provider:
    """A mock provider: gives its answers in turn and keeps every request it received."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []
        self.transport = httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, type) and issubclass(answer, httpx.TransportError):
            raise answer("simulated", request=request)
        if isinstance(answer, httpx.Response):
            return answer
        return httpx.Response(200, json=answer)


def sms(text=TEXT_ASCII, **kwargs) -> Outgoing:
    return Outgoing(id="41", channel="sms", recipient="0912 345 678", text=text, **kwargs)


# --- phone numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("0912 345 678", "84912345678"),
        ("+84912345678", "84912345678"),
        ("84912345678", "84912345678"),
        ("0084 912 345 678", "84912345678"),
        ("(+84) 912-345-678", "84912345678"),
        ("091.234.5678", "84912345678"),
        ("0345678901", "84345678901"),
        ("0845678901", "84845678901"),  # a 084 Vinaphone number is not the country code
        ("0512345678", "84512345678"),
        ("0701234567", "84701234567"),
    ],
)
def test_phone_numbers_in_any_vietnamese_form(written, expected):
    assert phone_e164_vn(written) == expected


@pytest.mark.parametrize(
    "written",
    [
        "",
        "12345",
        "0212345678",
        "091234567",
        "09123456789",
        "849123456789",
        "+1 212 555 0100",
        "0912a45678",
        "0112345678",
        "+840912345678",
        None,
    ],
)
def test_anything_but_a_vietnamese_mobile_number_is_permanent(written):
    with pytest.raises(Permanent) as caught:
        phone_e164_vn(written)
    assert "di động" in caught.value.reason


# --- registry and local adapter --------------------------------------------------------------


def test_defaults_are_local_except_email(settings):
    if hasattr(settings, "MOTCUA_NOTIFY"):
        del settings.MOTCUA_NOTIFY
    for kind in ("sms", "zns", "zalo_oa"):
        channel = channel_for(kind)
        assert isinstance(channel, LocalChannel)
        assert channel.kind == kind
    assert isinstance(channel_for("email"), EmailChannel)


def test_the_setting_is_read_at_each_call(settings):
    settings.MOTCUA_NOTIFY = {"sms": "esms", "zns": "zalo", "zalo_oa": "zalo", "email": "local"}
    assert isinstance(channel_for("sms"), ESMSChannel)
    assert isinstance(channel_for("zns"), ZNSChannel)
    assert isinstance(channel_for("zalo_oa"), OAChannel)
    assert channel_for("email").kind == "email"
    assert isinstance(channel_for("email"), LocalChannel)
    settings.MOTCUA_NOTIFY = {"sms": "speedsms"}
    assert isinstance(channel_for("sms"), SpeedSMSChannel)
    assert isinstance(channel_for("sms"), Channel)


def test_a_wrong_setting_or_kind_is_refused(settings):
    settings.MOTCUA_NOTIFY = {"sms": "viettel"}
    with pytest.raises(ImproperlyConfigured, match="esms, local, speedsms"):
        channel_for("sms")
    with pytest.raises(ValueError):
        channel_for("fax")


def test_local_adapter_sends_nothing_and_logs(caplog):
    with caplog.at_level(logging.INFO, logger="motcua.notify"):
        sent = LocalChannel("sms").send(sms())
    assert sent == Sent(provider_id="local-41", answer="local")
    # At INFO the message is named, not shown: neither the number nor the text is logged.
    assert "notify sms (local) 41" in caplog.text
    assert "0912 345 678" not in caplog.text and TEXT_ASCII not in caplog.text
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="motcua.notify"):
        LocalChannel("sms").send(sms())
    assert TEXT_ASCII in caplog.text  # a developer who asks for it sees what would go


# --- e-mail ----------------------------------------------------------------------------------


class FailingBackend(BaseEmailBackend):
    error: Exception = OSError("connection refused")

    def send_messages(self, messages):
        raise self.error


def email(**kwargs) -> Outgoing:
    fields = {"id": "7", "channel": "email", "recipient": "an@example.vn", "text": "Nội dung"}
    return Outgoing(subject="Hồ sơ đã có kết quả", **{**fields, **kwargs})


def test_email_goes_through_djangos_mail_api(settings):
    settings.DEFAULT_FROM_EMAIL = "motcua@tinh.gov.vn"
    sent = EmailChannel().send(email())
    [message] = mail.outbox
    assert (message.subject, message.body, message.to) == (
        "Hồ sơ đã có kết quả",
        "Nội dung",
        ["an@example.vn"],
    )
    assert message.from_email == "motcua@tinh.gov.vn"
    assert sent.provider_id.startswith("<") and sent.provider_id.endswith(">")
    assert message.message()["Message-ID"] == sent.provider_id


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (smtplib.SMTPRecipientsRefused({"an@example.vn": (550, b"no such user")}), Permanent),
        (smtplib.SMTPServerDisconnected("gone"), Transient),
        (ConnectionRefusedError("refused"), Transient),
    ],
)
def test_smtp_errors(settings, monkeypatch, error, outcome):
    settings.EMAIL_BACKEND = "tests.notify.test_channels.FailingBackend"
    monkeypatch.setattr(FailingBackend, "error", error)
    with pytest.raises(outcome) as caught:
        EmailChannel().send(email())
    assert type(caught.value) is outcome  # Transient and Permanent are siblings, never both


def test_a_malformed_address_is_permanent():
    with pytest.raises(Permanent):
        EmailChannel().send(email(recipient="an@example.vn\nBcc: x@y.z"))
    assert mail.outbox == []


# --- eSMS ------------------------------------------------------------------------------------


@pytest.fixture
def esms_env(monkeypatch):
    monkeypatch.setenv("ESMS_API_KEY", "api-key")
    monkeypatch.setenv("ESMS_SECRET_KEY", "secret-key")
    monkeypatch.setenv("ESMS_BRANDNAME", "MOTCUA-TINH")
    monkeypatch.delenv("ESMS_SANDBOX", raising=False)
    monkeypatch.delenv("ESMS_SMS_TYPE", raising=False)
    return monkeypatch


def esms_send(*answers, message=None):
    provider = Provider(*answers)
    return ESMSChannel(transport=provider.transport).send(message or sms()), provider


def test_esms_request_is_the_published_one(esms_env):
    sent, provider = esms_send(
        {"CodeResult": "100", "CountRegenerate": 0, "SMSID": "d533459ee42b2b95"},
        message=sms(callback_url="https://motcua.example.vn/notify/esms/receipt"),
    )
    [request] = provider.requests
    assert (request.method, str(request.url)) == ("POST", ESMS_URL)
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "ApiKey": "api-key",
        "SecretKey": "secret-key",
        "Phone": "84912345678",
        "Content": TEXT_ASCII,
        "Brandname": "MOTCUA-TINH",
        "SmsType": "2",
        "IsUnicode": "0",
        "Sandbox": "0",
        "RequestId": "41",
        "CallbackUrl": "https://motcua.example.vn/notify/esms/receipt",
    }
    assert sent.provider_id == "d533459ee42b2b95"
    assert "d533459ee42b2b95" in sent.answer


def test_esms_unicode_sandbox_and_type_follow_the_text_and_environment(esms_env):
    esms_env.setenv("ESMS_SANDBOX", "1")
    esms_env.setenv("ESMS_SMS_TYPE", "8")
    _, provider = esms_send({"CodeResult": "100", "SMSID": "x"}, message=sms(TEXT_VI))
    body = json.loads(provider.requests[0].content)
    assert (body["IsUnicode"], body["Sandbox"], body["SmsType"]) == ("1", "1", "8")
    assert body["Content"] == TEXT_VI
    assert "CallbackUrl" not in body


def test_esms_duplicate_request_id_counts_as_already_sent(esms_env):
    sent, _ = esms_send(
        {"CodeResult": "124", "CountRegenerate": 0, "ErrorMessage": "Request exist 1"}
    )
    assert sent.provider_id == ""
    assert sent.answer.startswith("duplicate RequestId")
    assert "Request exist 1" in sent.answer


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"CodeResult": "101", "ErrorMessage": "Authorize Failed"}, "eSMS 101: xác thực thất bại"),
        (
            {"CodeResult": "104", "ErrorMessage": "Brand name code is not exist"},
            "eSMS 104: brandname chưa được kích hoạt",
        ),
        (
            {"CodeResult": "146", "ErrorMessage": "Sai template Brandname CSKH"},
            "eSMS 146: mẫu tin chưa đăng ký",
        ),
        ({"CodeResult": "99"}, "eSMS 99: yêu cầu không hợp lệ"),
        ({"error": "Invalid request"}, "eSMS 99: yêu cầu không hợp lệ"),
        ({"CodeResult": "177"}, "eSMS 177: mã lỗi không rõ"),
    ],
)
def test_esms_error_codes_are_permanent(esms_env, answer, reason):
    with pytest.raises(Permanent) as caught:
        esms_send(answer)
    assert caught.value.reason.startswith(reason)
    assert json.loads(caught.value.answer) == answer


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (httpx.Response(500, text="Internal Server Error"), "eSMS: HTTP 500"),
        (httpx.Response(503, text="<html>busy</html>"), "eSMS: HTTP 503"),
        (httpx.Response(429, text="slow down"), "eSMS: HTTP 429"),
        (httpx.ConnectError, "eSMS: lỗi kết nối (ConnectError)"),
        (httpx.ReadTimeout, "eSMS: hết thời gian chờ"),
        (httpx.Response(200, text="<html>proxy</html>"), "eSMS: câu trả lời không đọc được"),
    ],
)
def test_esms_network_and_server_failures_are_transient(esms_env, answer, reason):
    with pytest.raises(Transient) as caught:
        esms_send(answer)
    assert caught.value.reason.startswith(reason)


def test_esms_without_keys_or_with_a_bad_number_sends_nothing(esms_env):
    provider = Provider()
    channel = ESMSChannel(transport=provider.transport)
    with pytest.raises(Permanent, match="di động"):
        channel.send(Outgoing(id="1", channel="sms", recipient="0212345678", text="x"))
    esms_env.delenv("ESMS_API_KEY")
    with pytest.raises(Permanent, match="ESMS_API_KEY"):
        channel.send(sms())
    assert provider.requests == []


def test_a_long_answer_is_truncated(esms_env):
    with pytest.raises(Permanent) as caught:
        esms_send({"CodeResult": "146", "ErrorMessage": "x" * 5000})
    assert len(caught.value.answer) == 2000


# --- SpeedSMS --------------------------------------------------------------------------------


@pytest.fixture
def speedsms_env(monkeypatch):
    monkeypatch.setenv("SPEEDSMS_TOKEN", "tok123")
    monkeypatch.setenv("SPEEDSMS_SENDER", "MOTCUA")
    monkeypatch.delenv("SPEEDSMS_SMS_TYPE", raising=False)
    return monkeypatch


def speedsms_send(*answers, message=None):
    provider = Provider(*answers)
    return SpeedSMSChannel(transport=provider.transport).send(message or sms()), provider


def test_speedsms_request_is_the_published_one(speedsms_env):
    sent, provider = speedsms_send(
        {"status": "success", "code": "00", "data": {"tranId": 8712345, "totalSMS": 1}},
        message=sms(TEXT_VI),
    )
    [request] = provider.requests
    assert (request.method, str(request.url)) == ("POST", SPEEDSMS_URL)
    assert request.headers["authorization"] == "Basic " + base64.b64encode(b"tok123:x").decode()
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "to": ["84912345678"],
        "content": TEXT_VI,
        "sms_type": 3,
        "sender": "MOTCUA",
    }
    assert sent.provider_id == "8712345"


def test_speedsms_type_from_the_environment(speedsms_env):
    speedsms_env.setenv("SPEEDSMS_SMS_TYPE", "2")
    _, provider = speedsms_send({"status": "success", "code": "00", "data": {"tranId": 1}})
    assert json.loads(provider.requests[0].content)["sms_type"] == 2


@pytest.mark.parametrize(
    "answer",
    [
        {"status": "error", "code": "007", "message": "sender not found"},
        httpx.Response(401, json={"status": "error", "code": "007", "message": "sender not found"}),
    ],
)
def test_speedsms_errors_are_permanent(speedsms_env, answer):
    with pytest.raises(Permanent) as caught:
        speedsms_send(answer)
    assert caught.value.reason == "SpeedSMS 007: sender not found"


@pytest.mark.parametrize(
    "answer", [httpx.Response(500, text="oops"), httpx.Response(429), httpx.ConnectError]
)
def test_speedsms_server_and_network_failures_are_transient(speedsms_env, answer):
    with pytest.raises(Transient, match="SpeedSMS"):
        speedsms_send(answer)


# --- Zalo ZNS and OA -------------------------------------------------------------------------


@pytest.fixture
def zalo_env(monkeypatch, db):
    monkeypatch.setenv("ZALO_APP_ID", "3427486587123456789")
    monkeypatch.setenv("ZALO_APP_SECRET", "app-secret")
    monkeypatch.setenv("ZALO_REFRESH_TOKEN", "initial-refresh")
    ProviderToken.objects.create(
        provider="zalo",
        access_token="old-access",
        refresh_token="old-refresh",
        expires_at=timezone.now() + timedelta(hours=20),
    )
    return monkeypatch


ZNS_OK = {"error": 0, "message": "Success", "data": {"msg_id": "zns-77", "sent_time": "1"}}
OA_OK = {"error": 0, "message": "Success", "data": {"message_id": "oa-88", "user_id": "2512"}}
EXPIRED = {"error": -216, "message": "Access token is invalid"}
REFRESHED = {"access_token": "new-access", "refresh_token": "new-refresh", "expires_in": "90000"}


def zns(**kwargs) -> Outgoing:
    fields = {
        "id": "41",
        "channel": "zns",
        "recipient": "+84 912 345 678",
        "text": TEXT_VI,
        "template_id": "250123",
        "template_data": {"ma_ho_so": "000.00.01.H12-240101-0001", "trang_thai": "Đã có kết quả"},
    }
    return Outgoing(**{**fields, **kwargs})


def oa_reply() -> Outgoing:
    return Outgoing(id="42", channel="zalo_oa", recipient="2512523625412515", text=TEXT_VI)


def test_zns_request_is_the_published_one(zalo_env):
    provider = Provider(ZNS_OK)
    sent = ZNSChannel(transport=provider.transport).send(zns())
    [request] = provider.requests
    assert (request.method, str(request.url)) == ("POST", ZNS_URL)
    assert request.headers["access_token"] == "old-access"
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "phone": "84912345678",
        "template_id": "250123",
        "template_data": {"ma_ho_so": "000.00.01.H12-240101-0001", "trang_thai": "Đã có kết quả"},
        "tracking_id": "41",
    }
    assert sent.provider_id == "zns-77"


def test_oa_reply_request_is_the_published_one(zalo_env):
    provider = Provider(OA_OK)
    sent = OAChannel(transport=provider.transport).send(oa_reply())
    [request] = provider.requests
    assert (request.method, str(request.url)) == ("POST", OA_URL)
    assert request.headers["access_token"] == "old-access"
    assert json.loads(request.content) == {
        "recipient": {"user_id": "2512523625412515"},
        "message": {"text": TEXT_VI},
    }
    assert sent.provider_id == "oa-88"


def assert_refresh_request(request, refresh_token):
    assert (request.method, str(request.url)) == ("POST", REFRESH_URL)
    assert request.headers["secret_key"] == "app-secret"
    assert request.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(request.content.decode()) == {
        "refresh_token": [refresh_token],
        "app_id": ["3427486587123456789"],
        "grant_type": ["refresh_token"],
    }


@pytest.mark.parametrize(
    ("adapter", "message", "ok", "provider_id"),
    [(ZNSChannel, zns(), ZNS_OK, "zns-77"), (OAChannel, oa_reply(), OA_OK, "oa-88")],
)
def test_expired_token_is_refreshed_once_and_the_request_retried(
    zalo_env, adapter, message, ok, provider_id
):
    provider = Provider(EXPIRED, REFRESHED, ok)
    sent = adapter(transport=provider.transport).send(message)
    first, refresh, retry = provider.requests
    assert_refresh_request(refresh, "old-refresh")
    assert retry.headers["access_token"] == "new-access"
    assert retry.content == first.content  # the same message, the same tracking id
    assert sent.provider_id == provider_id
    row = ProviderToken.objects.get(provider="zalo")
    assert (row.access_token, row.refresh_token) == ("new-access", "new-refresh")
    expected = timezone.now() + timedelta(seconds=90000)
    assert abs((row.expires_at - expected).total_seconds()) < 60


def test_expired_twice_is_transient_and_keeps_the_rotated_tokens(zalo_env):
    provider = Provider(EXPIRED, REFRESHED, EXPIRED)
    with pytest.raises(Transient, match="-216"):
        ZNSChannel(transport=provider.transport).send(zns())
    assert len(provider.requests) == 3
    assert ProviderToken.objects.get().refresh_token == "new-refresh"


@pytest.mark.parametrize(
    "refresh_answer",
    [
        {"error": -14014, "error_name": "Invalid refresh token"},
        httpx.Response(400, text="bad request"),
        httpx.Response(502, text="bad gateway"),
        httpx.ConnectError,
    ],
)
def test_a_failed_refresh_is_transient_and_changes_no_token(zalo_env, refresh_answer):
    provider = Provider(EXPIRED, refresh_answer)
    with pytest.raises(Transient, match="Zalo"):
        OAChannel(transport=provider.transport).send(oa_reply())
    assert len(provider.requests) == 2
    row = ProviderToken.objects.get()
    assert (row.access_token, row.refresh_token) == ("old-access", "old-refresh")


def test_first_send_gets_a_token_from_the_initial_refresh_token(zalo_env):
    ProviderToken.objects.all().delete()
    provider = Provider(REFRESHED, ZNS_OK)
    ZNSChannel(transport=provider.transport).send(zns())
    refresh, send = provider.requests
    assert_refresh_request(refresh, "initial-refresh")
    assert send.headers["access_token"] == "new-access"
    assert ProviderToken.objects.get().refresh_token == "new-refresh"


def test_a_token_past_its_expiry_is_refreshed_before_sending(zalo_env):
    ProviderToken.objects.update(expires_at=timezone.now() - timedelta(minutes=5))
    provider = Provider(REFRESHED, ZNS_OK)
    ZNSChannel(transport=provider.transport).send(zns())
    assert_refresh_request(provider.requests[0], "old-refresh")
    assert provider.requests[1].headers["access_token"] == "new-access"


def test_a_worker_that_waited_for_the_lock_uses_the_token_another_refreshed(zalo_env):
    # Worker B got -216 with "stale"; worker A refreshed meanwhile: B must not spend the
    # (single-use) refresh token again.
    provider = Provider()
    channel = ZNSChannel(transport=provider.transport)
    with httpx.Client(transport=provider.transport) as client:
        assert channel._refresh(client, stale="stale") == "old-access"
    assert provider.requests == []
    assert ProviderToken.objects.get().refresh_token == "old-refresh"


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"error": -124, "message": "Access token invalid"}, "Zalo -124: Access token invalid"),
        (
            {"error": -108, "message": "Phone number is invalid"},
            "Zalo -108: Phone number is invalid",
        ),
        ({"error": -1139, "message": "User refused"}, "Zalo -1139: User refused"),
        ({"message": "?"}, "Zalo ?: ?"),
    ],
)
def test_other_zalo_errors_are_permanent(zalo_env, answer, reason):
    provider = Provider(answer)
    with pytest.raises(Permanent) as caught:
        ZNSChannel(transport=provider.transport).send(zns())
    assert caught.value.reason == reason
    assert len(provider.requests) == 1


@pytest.mark.parametrize(
    "answer", [httpx.Response(500, text="error"), httpx.ConnectError, httpx.ReadTimeout]
)
def test_zalo_server_and_network_failures_are_transient(zalo_env, answer):
    with pytest.raises(Transient, match="Zalo"):
        OAChannel(transport=Provider(answer).transport).send(oa_reply())


def test_zns_without_a_template_or_valid_phone_sends_nothing(zalo_env):
    provider = Provider()
    channel = ZNSChannel(transport=provider.transport)
    with pytest.raises(Permanent, match="template_id"):
        channel.send(zns(template_id=""))
    with pytest.raises(Permanent, match="di động"):
        channel.send(zns(recipient="2512523625412515"))
    assert provider.requests == []
