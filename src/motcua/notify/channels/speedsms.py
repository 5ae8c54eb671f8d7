"""SMS brandname through SpeedSMS (POST /index.php/sms/send, INTEGRATIONS.md).

Environment variables, read at each send:
- SPEEDSMS_TOKEN: the account's API token (required; HTTP Basic user, password "x").
- SPEEDSMS_SENDER: the registered brandname (required).
- SPEEDSMS_SMS_TYPE: SpeedSMS's message type, an integer; 3 (brandname, as in the example) by
  default.

SpeedSMS takes no deduplication id: the outbox guarantees once-only by its own state, marking
the row before it sends.
"""

import os
import unicodedata

import httpx
from django.utils.translation import gettext as _

from . import Outgoing, Permanent, Sent, http_client, http_post, json_answer, phone_e164_vn

URL = "https://api.speedsms.vn/index.php/sms/send"


def _setting(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise Permanent(_("SpeedSMS chưa được cấu hình: thiếu %(name)s") % {"name": name})
    return value


def _sms_type() -> int:
    raw = os.environ.get("SPEEDSMS_SMS_TYPE", "").strip() or "3"
    try:
        return int(raw)
    except ValueError:
        raise Permanent(
            _("SpeedSMS chưa được cấu hình: SPEEDSMS_SMS_TYPE phải là số nguyên")
        ) from None


class SpeedSMSChannel:
    kind = "sms"

    def __init__(self, *, transport: httpx.BaseTransport | None = None):
        self.transport = transport

    def send(self, message: Outgoing) -> Sent:
        token = _setting("SPEEDSMS_TOKEN")
        payload = {
            "to": [phone_e164_vn(message.recipient)],
            "content": unicodedata.normalize("NFC", message.text),
            "sms_type": _sms_type(),
            "sender": _setting("SPEEDSMS_SENDER"),
        }
        with http_client(self.transport) as client:
            response = http_post(client, "SpeedSMS", URL, json=payload, auth=(token, "x"))
        body = json_answer(response, "SpeedSMS")
        # INTEGRATIONS.md gives only the request. The answer's shape is SpeedSMS's documented
        # one: {"status": "success", "code": "00", "data": {"tranId": …}} or
        # {"status": "error", "code": "…", "message": "…"}.
        if body.get("status") == "success" and str(body.get("code", "00")) == "00":
            data = body.get("data") if isinstance(body.get("data"), dict) else {}
            return Sent(provider_id=str(data.get("tranId", "")), answer=response.text)
        code = str(body.get("code", "?"))
        detail = str(body.get("message", "")).strip() or _("lỗi không rõ")
        raise Permanent(f"SpeedSMS {code}: {detail}", response.text)
