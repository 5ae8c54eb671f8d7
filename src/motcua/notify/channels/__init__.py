"""The channel interface: one `send(Outgoing) -> Sent` per way of telling a citizen, and the
registry that picks the adapter for each kind from `settings.MOTCUA_NOTIFY`.

`settings.MOTCUA_NOTIFY` (a dict, optional; read on every call so tests and settings overrides
apply at once):

- ``"sms"``: ``"local"`` (default) | ``"esms"`` | ``"speedsms"``
- ``"zns"``: ``"local"`` (default) | ``"zalo"``
- ``"zalo_oa"``: ``"local"`` (default) | ``"zalo"``
- ``"email"``: ``"django"`` (default, Django's mail API) | ``"local"``

Each adapter reads its keys from environment variables at send time (see its module). Adapters
raise `Transient` (the outbox retries later) or `Permanent` (the outbox gives up and shows
`reason` to officers); anything else is a bug.
"""

import re
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import httpx
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

KINDS = ("email", "sms", "zns", "zalo_oa")
ANSWER_LIMIT = 2000
TIMEOUT = 10.0  # seconds, connect and read: a stuck provider must not hold a worker

_ADAPTERS = {
    "sms": {
        "local": "motcua.notify.channels.local.LocalChannel",
        "esms": "motcua.notify.channels.esms.ESMSChannel",
        "speedsms": "motcua.notify.channels.speedsms.SpeedSMSChannel",
    },
    "zns": {
        "local": "motcua.notify.channels.local.LocalChannel",
        "zalo": "motcua.notify.channels.zalo.ZNSChannel",
    },
    "zalo_oa": {
        "local": "motcua.notify.channels.local.LocalChannel",
        "zalo": "motcua.notify.channels.zalo.OAChannel",
    },
    "email": {
        "django": "motcua.notify.channels.email.EmailChannel",
        "local": "motcua.notify.channels.local.LocalChannel",
    },
}
_DEFAULTS = {"sms": "local", "zns": "local", "zalo_oa": "local", "email": "django"}


def clip(text: str) -> str:
    return text[:ANSWER_LIMIT]


@dataclass(frozen=True)
class Outgoing:
    """One message to send. `id` is the outbox row's id, reused on every attempt, so that the
    providers that deduplicate (eSMS RequestId, ZNS tracking_id) never deliver it twice."""

    id: str
    channel: str  # one of KINDS
    recipient: str  # e-mail address, Vietnamese phone number in any form, or Zalo user id
    text: str  # the rendered text; the body for e-mail
    subject: str = ""
    template_id: str = ""  # ZNS template id, or the SMS brandname template code if any
    template_data: dict = field(default_factory=dict)
    callback_url: str = ""  # eSMS delivery-receipt URL


@dataclass
class Sent:
    """The provider accepted the message: its id (for matching delivery receipts) and raw answer."""

    provider_id: str
    answer: str

    def __post_init__(self):
        self.answer = clip(self.answer)


class ChannelError(Exception):
    """The provider did not take the message. `reason` is short and shown to officers;
    `answer` is the provider's raw answer, kept for whoever investigates."""

    def __init__(self, reason: str, answer: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.answer = clip(answer)


class Transient(ChannelError):
    """Try again later: the network, the provider's servers or an expired token."""


class Permanent(ChannelError):
    """Never retry: the same request will fail the same way until a person changes something."""


@runtime_checkable
class Channel(Protocol):
    kind: str

    def send(self, message: Outgoing) -> Sent: ...


def channel_for(kind: str) -> Channel:
    """The adapter configured for `kind`, new on each call (no state shared between sends)."""
    if kind not in _ADAPTERS:
        raise ValueError(f"Unknown notification channel kind: {kind!r}")
    choice = getattr(settings, "MOTCUA_NOTIFY", {}).get(kind, _DEFAULTS[kind])
    path = _ADAPTERS[kind].get(choice)
    if path is None:
        choices = ", ".join(sorted(_ADAPTERS[kind]))
        raise ImproperlyConfigured(f"MOTCUA_NOTIFY[{kind!r}] must be one of {choices}.")
    adapter = import_string(path)
    # The local adapter serves every kind; the real ones know theirs.
    return adapter(kind=kind) if choice == "local" else adapter()


_SEPARATORS = re.compile(r"[\s.\-()]")
_MOBILE = re.compile(r"0[35789]\d{8}")


def phone_e164_vn(number: str) -> str:
    """A Vietnamese mobile number in the form providers want ("84912345678"), from any of the
    forms people write ("0912 345 678", "+84912345678", "84912345678", "0084…")."""
    if not isinstance(number, str):
        raise Permanent(_("Thiếu số điện thoại di động."))
    digits = _SEPARATORS.sub("", number)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("0084"):
        digits = "0" + digits[4:]
    elif digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    if not _MOBILE.fullmatch(digits):
        raise Permanent(
            _("Số điện thoại không phải số di động Việt Nam: %(number)s") % {"number": number}
        )
    return "84" + digits[1:]


# Shared HTTP plumbing of the real adapters: one client per send (no module-level client, so
# nothing is shared between threads or forked workers), and one mapping of transport failures.


def http_client(transport: httpx.BaseTransport | None) -> httpx.Client:
    return httpx.Client(transport=transport, timeout=TIMEOUT)


def http_post(client: httpx.Client, provider: str, url: str, **kwargs) -> httpx.Response:
    """POST, turning what a later attempt may cure (network, timeout, 5xx, 429) into Transient."""
    try:
        response = client.post(url, **kwargs)
    except httpx.TimeoutException as exc:
        raise Transient(_("%(provider)s: hết thời gian chờ") % {"provider": provider}) from exc
    except httpx.TransportError as exc:
        raise Transient(
            _("%(provider)s: lỗi kết nối (%(error)s)")
            % {"provider": provider, "error": type(exc).__name__}
        ) from exc
    if response.status_code >= 500 or response.status_code == 429:
        raise Transient(
            _("%(provider)s: HTTP %(status)s")
            % {"provider": provider, "status": response.status_code},
            response.text,
        )
    return response


def json_answer(response: httpx.Response, provider: str) -> dict:
    """The JSON object a provider answered. A 2xx that is not JSON is a proxy or a glitch: try
    again; a 4xx that is not JSON will not improve by itself."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        return body
    error = Transient if response.is_success else Permanent
    raise error(
        _("%(provider)s: câu trả lời không đọc được (HTTP %(status)s)")
        % {"provider": provider, "status": response.status_code},
        response.text,
    )
