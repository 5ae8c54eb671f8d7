"""What the providers send back: eSMS delivery receipts and Zalo OA events.

Both answer as the provider expects whatever the content — a receipt for an unknown message or
a replayed one is acknowledged and changes nothing — so that the provider does not retry
forever; only a Zalo event whose signature does not verify is refused (it did not come from
Zalo). No personal data is logged.
"""

import json
import logging
import os
from datetime import UTC, datetime

from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from . import inbound, services, zalo_signature
from .models import Channel, Message

log = logging.getLogger("motcua.notify")

# eSMS's SendStatus values in its receipts: 5 delivered to the handset; the others (waiting,
# sending, refused by the carrier…) leave the row as it is.
ESMS_DELIVERED = {"5"}


@csrf_exempt
@require_http_methods(["GET", "POST"])
def esms_receipt(request):
    """eSMS calls the CallbackUrl of each message with its SMSID and SendStatus."""
    params = request.POST if request.method == "POST" else request.GET
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
            params = body if isinstance(body, dict) else {}
        except ValueError:
            params = {}
    token = os.environ.get("ESMS_CALLBACK_TOKEN", "")
    if token and not constant_time_compare(request.GET.get("t", ""), token):
        log.warning("notify: eSMS receipt without the callback token ignored")
        return HttpResponse("OK", content_type="text/plain")
    sms_id = str(params.get("SMSID") or params.get("SmsId") or "").strip()[:100]
    status = str(params.get("SendStatus") or "").strip()
    if status in ESMS_DELIVERED:
        changed = services.record_receipt(
            channel=Channel.SMS, provider_id=sms_id, status=Message.Status.DELIVERED
        )
        log.info("notify: eSMS receipt %s", "applied" if changed else "ignored")
    return HttpResponse("OK", content_type="text/plain")


def _event_time(body: dict):
    try:
        return datetime.fromtimestamp(int(body.get("timestamp")) / 1000, tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


@csrf_exempt
@require_POST
def zalo_events(request):
    """The OA's webhook: receipts of what we sent, and what citizens write to the OA."""
    raw = request.body
    secret = os.environ.get("ZALO_OA_SECRET_KEY", "")
    if not zalo_signature.verify(raw, request.headers.get("X-ZEvent-Signature", ""), secret):
        log.warning("notify: Zalo event with a bad signature refused")
        return JsonResponse({"error": "bad signature"}, status=403)
    try:
        body = json.loads(raw)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        return JsonResponse({"error": 0})
    name = body.get("event_name")
    message = body.get("message") if isinstance(body.get("message"), dict) else {}
    at = _event_time(body)
    if name == "user_received_message":
        _zalo_receipt(message.get("msg_id"), Message.Status.DELIVERED, at)
    elif name == "user_send_text":
        sender = body.get("sender") if isinstance(body.get("sender"), dict) else {}
        with transaction.atomic():
            outcome = inbound.handle(
                Channel.ZALO_OA, str(sender.get("id") or "")[:100], str(message.get("text", ""))
            )
        log.info("notify: Zalo message %s", outcome)
    elif name == "user_seen_message":
        ids = message.get("msg_ids") or [message.get("msg_id")]
        for msg_id in ids if isinstance(ids, list) else []:
            _zalo_receipt(msg_id, Message.Status.SEEN, at)
    return JsonResponse({"error": 0})


def _zalo_receipt(msg_id, status: str, at) -> None:
    """Zalo reports reception and reading of OA replies and of ZNS alike, by the msg_id its
    send answered: the message is one or the other."""
    for channel in (Channel.ZALO_OA, Channel.ZNS):
        provider_id = str(msg_id or "")[:100]
        if services.record_receipt(channel=channel, provider_id=provider_id, status=status, at=at):
            return


# The fields an SMS gateway's MO (mobile-originated) call names the sender and the text by:
# gateways differ, and each province's contract says which; these are the usual names.
MO_SENDER = ("Phone", "phone", "msisdn", "from", "From", "sender")
MO_TEXT = ("Message", "message", "Content", "content", "text", "Text", "body")


def _first(params, names) -> str:
    for name in names:
        value = params.get(name)
        if value:
            return str(value)
    return ""


@csrf_exempt
@require_http_methods(["GET", "POST"])
def sms_mo(request):
    """The gateway forwards what a citizen texted to the province's short number. Gateways
    sign nothing: a token in the registered address (SMS_MO_TOKEN) tells it from forgeries."""
    token = os.environ.get("SMS_MO_TOKEN", "")
    if token and not constant_time_compare(request.GET.get("t", ""), token):
        log.warning("notify: SMS MO without the token refused")
        return HttpResponse("forbidden", status=403, content_type="text/plain")
    params = request.POST if request.method == "POST" else request.GET
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
            params = body if isinstance(body, dict) else {}
        except ValueError:
            params = {}
    sender = "".join(ch for ch in _first(params, MO_SENDER) if ch.isdigit() or ch == "+")[:20]
    with transaction.atomic():
        outcome = inbound.handle(Channel.SMS, sender, _first(params, MO_TEXT)[:500])
    log.info("notify: SMS MO %s", outcome)
    return HttpResponse("OK", content_type="text/plain")
