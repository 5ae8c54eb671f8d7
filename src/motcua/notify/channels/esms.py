"""SMS brandname through eSMS.vn (SendMultipleMessage_V4_post_json, INTEGRATIONS.md).

Environment variables, read at each send:
- ESMS_API_KEY, ESMS_SECRET_KEY: the account's keys (required).
- ESMS_BRANDNAME: the registered brandname (required).
- ESMS_SMS_TYPE: "2" (customer care, the default).
- ESMS_SANDBOX: "1" to have eSMS validate without delivering or charging; "0" (default).
"""

import os
import unicodedata

import httpx
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..sms_text import is_gsm7
from . import (
    Outgoing,
    Permanent,
    Sent,
    clip,
    http_client,
    http_post,
    json_answer,
    phone_e164_vn,
)

URL = "https://rest.esms.vn/MainService.svc/json/SendMultipleMessage_V4_post_json/"
SUCCESS = "100"
DUPLICATE = "124"
CODES = {
    "99": gettext_lazy("yêu cầu không hợp lệ"),
    "101": gettext_lazy("xác thực thất bại (sai ApiKey/SecretKey)"),
    "104": gettext_lazy("brandname chưa được kích hoạt"),
    "146": gettext_lazy("mẫu tin chưa đăng ký"),
}


def _setting(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise Permanent(_("eSMS chưa được cấu hình: thiếu %(name)s") % {"name": name})
    return value


class ESMSChannel:
    kind = "sms"

    def __init__(self, *, transport: httpx.BaseTransport | None = None):
        self.transport = transport

    def send(self, message: Outgoing) -> Sent:
        # NFC: what the carrier matches against the registered template, and what sms_text counts.
        content = unicodedata.normalize("NFC", message.text)
        payload = {
            "ApiKey": _setting("ESMS_API_KEY"),
            "SecretKey": _setting("ESMS_SECRET_KEY"),
            "Phone": phone_e164_vn(message.recipient),
            "Content": content,
            "Brandname": _setting("ESMS_BRANDNAME"),
            "SmsType": os.environ.get("ESMS_SMS_TYPE", "").strip() or "2",
            "IsUnicode": "0" if is_gsm7(content) else "1",
            "Sandbox": "1" if os.environ.get("ESMS_SANDBOX", "0").strip() == "1" else "0",
            "RequestId": message.id,
        }
        if message.callback_url:
            payload["CallbackUrl"] = message.callback_url
        with http_client(self.transport) as client:
            response = http_post(client, "eSMS", URL, json=payload)
        body = json_answer(response, "eSMS")
        # eSMS documents code 99 also as a bare {"error": "Invalid request"}.
        code = str(body.get("CodeResult", "99" if "error" in body else "")).strip()
        if code == SUCCESS:
            return Sent(provider_id=str(body.get("SMSID", "")), answer=response.text)
        if code == DUPLICATE:
            # Our RequestId is the outbox row's id: eSMS has already accepted this very message
            # on an earlier attempt whose answer we lost (a timeout, a killed worker). Sending
            # it is done; failing it would show a delivered message as failed.
            return Sent(
                provider_id="",
                answer=clip(f"duplicate RequestId: already accepted by eSMS. {response.text}"),
            )
        # Every other code is permanent, the unknown ones too: eSMS does not say which codes a
        # retry could cure, and retrying forever would hide the problem. A person looks at it.
        label = CODES.get(code, gettext_lazy("mã lỗi không rõ, cần kiểm tra"))
        raise Permanent(f"eSMS {code or '?'}: {label}", response.text)
