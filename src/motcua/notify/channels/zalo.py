"""Zalo: ZNS template messages to a phone number, and OA consultation replies to a Zalo user
(OA API v3.0, INTEGRATIONS.md), with the OA's access token refreshed when Zalo says it expired.

Environment variables, read at each send:
- ZALO_APP_ID, ZALO_APP_SECRET: the Zalo app, for refreshing the access token.
- ZALO_REFRESH_TOKEN: the first refresh token, used only while the ProviderToken row "zalo"
  holds none; after that the rotated tokens live in the database.
(ZALO_OA_SECRET_KEY, the webhook signature key, is read by the webhook: zalo_signature.py.)
"""

import os
from datetime import timedelta

import httpx
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import ProviderToken
from . import (
    Outgoing,
    Permanent,
    Sent,
    Transient,
    http_client,
    http_post,
    json_answer,
    phone_e164_vn,
)

ZNS_URL = "https://business.openapi.zalo.me/message/template"
OA_URL = "https://openapi.zalo.me/v3.0/oa/message/cs"
REFRESH_URL = "https://oauth.zaloapp.com/v4/oa/access_token"
PROVIDER = "zalo"
TOKEN_EXPIRED = -216
# Refresh a little before the announced expiry rather than spend a request on a sure -216.
EXPIRY_MARGIN = timedelta(minutes=1)


def _error_code(body: dict) -> int | None:
    """Zalo's "error" (0 is success); None when the answer carries none we can read."""
    value = body.get("error")
    if isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class _ZaloChannel:
    """A request with the OA's access token: refreshed first if missing or expired, and once
    more (then the same request retried once) if Zalo answers -216."""

    url: str
    id_field: str

    def __init__(self, *, transport: httpx.BaseTransport | None = None):
        self.transport = transport

    def payload(self, message: Outgoing) -> dict:
        raise NotImplementedError

    def send(self, message: Outgoing) -> Sent:
        payload = self.payload(message)
        with http_client(self.transport) as client:
            token = self._current_token(client)
            response, body = self._post(client, payload, token)
            if _error_code(body) == TOKEN_EXPIRED:
                token = self._refresh(client, stale=token)
                response, body = self._post(client, payload, token)
                if _error_code(body) == TOKEN_EXPIRED:
                    raise Transient(
                        _("Zalo -216: mã truy cập vẫn hết hạn sau khi làm mới"), response.text
                    )
        code = _error_code(body)
        if code == 0:
            data = body.get("data") if isinstance(body.get("data"), dict) else {}
            return Sent(provider_id=str(data.get(self.id_field, "")), answer=response.text)
        detail = str(body.get("message", "")).strip() or _("lỗi không rõ")
        raise Permanent(f"Zalo {'?' if code is None else code}: {detail}", response.text)

    def _post(self, client: httpx.Client, payload: dict, token: str) -> tuple[httpx.Response, dict]:
        response = http_post(
            client, "Zalo", self.url, json=payload, headers={"access_token": token}
        )
        return response, json_answer(response, "Zalo")

    def _current_token(self, client: httpx.Client) -> str:
        row = ProviderToken.objects.filter(provider=PROVIDER).first()
        fresh = row and (row.expires_at is None or row.expires_at - EXPIRY_MARGIN > timezone.now())
        if fresh and row.access_token:
            return row.access_token
        return self._refresh(client, stale=row.access_token if row else "")

    def _refresh(self, client: httpx.Client, *, stale: str) -> str:
        """A fresh access token. Zalo's refresh tokens are single-use, so the refresh happens
        under the row's lock (select_for_update; SQLite's IMMEDIATE transactions serialise the
        same way) and the rotated pair is saved before the lock is released. A worker that
        waited on the lock finds a token other than the stale one it had, and uses it."""
        ProviderToken.objects.get_or_create(provider=PROVIDER)
        with transaction.atomic():
            row = ProviderToken.objects.select_for_update().get(provider=PROVIDER)
            if row.access_token and row.access_token != stale:
                return row.access_token
            refresh_token = row.refresh_token or os.environ.get("ZALO_REFRESH_TOKEN", "").strip()
            app_id = os.environ.get("ZALO_APP_ID", "").strip()
            secret = os.environ.get("ZALO_APP_SECRET", "").strip()
            if not (refresh_token and app_id and secret):
                raise Transient(
                    _(
                        "Zalo: không làm mới được mã truy cập (thiếu ZALO_APP_ID, "
                        "ZALO_APP_SECRET hoặc refresh token)"
                    )
                )
            response = http_post(
                client,
                "Zalo",
                REFRESH_URL,
                headers={"secret_key": secret},
                data={
                    "refresh_token": refresh_token,
                    "app_id": app_id,
                    "grant_type": "refresh_token",
                },
            )
            try:
                body = json_answer(response, "Zalo")
            except Permanent as exc:  # a refresh that fails is retried later, whatever its form
                raise Transient(exc.reason, exc.answer) from exc
            access_token = body.get("access_token")
            if not isinstance(access_token, str) or not access_token:
                raise Transient(
                    _("Zalo: làm mới mã truy cập thất bại (%(error)s)")
                    % {"error": body.get("error_name") or body.get("error") or "?"},
                    response.text,
                )
            try:
                lifetime = timedelta(seconds=int(body.get("expires_in", 0)))
            except (TypeError, ValueError):
                lifetime = timedelta(0)
            row.access_token = access_token
            row.refresh_token = body.get("refresh_token") or refresh_token
            row.expires_at = timezone.now() + lifetime if lifetime else None
            row.save()
            return access_token


class ZNSChannel(_ZaloChannel):
    """A ZNS template message (approved by Zalo beforehand) to a phone number."""

    kind = "zns"
    url = ZNS_URL
    id_field = "msg_id"

    def payload(self, message: Outgoing) -> dict:
        if not message.template_id:
            raise Permanent(_("Thiếu mã mẫu ZNS (template_id)."))
        return {
            "phone": phone_e164_vn(message.recipient),
            "template_id": message.template_id,
            "template_data": message.template_data,
            # Our outbox id: Zalo echoes it in its receipts, and it names the message as ours.
            "tracking_id": message.id,
        }


class OAChannel(_ZaloChannel):
    """A consultation reply to a Zalo user who wrote to the OA (within Zalo's reply window)."""

    kind = "zalo_oa"
    url = OA_URL
    id_field = "message_id"

    def payload(self, message: Outgoing) -> dict:
        if not message.recipient.strip():
            raise Permanent(_("Thiếu mã người dùng Zalo."))
        return {"recipient": {"user_id": message.recipient}, "message": {"text": message.text}}
