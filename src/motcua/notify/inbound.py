"""What citizens write to us: a lookup by SMS (the gateway's MO webhook) or to the province's
Zalo OA, and "stop" words that turn a channel off for their number.

A lookup is answered from the same service as /tra-cuu/ and with the same proof: the code and
the last four digits of the applicant's phone — by SMS the sender's own number is that proof,
on Zalo they are written after the code. The answer says the state, what is awaited and by
when, never who the applicant is. Anything else gets a short help text, once per number and
hour; a number that writes too much is answered no more that day (both limits are settings).
"""

import logging
import re
import unicodedata

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core import ratelimit

from . import services, sms_text
from .models import Channel, Event, LookupChannel
from .tally import count_lookup

log = logging.getLogger("motcua.notify")

CODE = re.compile(r"[0-9A-Z][0-9A-Z.\-]{8,60}[0-9]")
DIGITS4 = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def _conf(name, default):
    return settings.MOTCUA.get(name, default)


def _normal(text: str) -> str:
    text = unicodedata.normalize("NFC", text or "").strip()
    return " ".join(sms_text.strip_diacritics(text).upper().split())


def stop_words() -> set[str]:
    return {w.upper() for w in str(_conf("NOTIFY_STOP_WORDS", "TC HUY")).split()}


def parse(text: str, *, keyword: str | None) -> tuple[str, str, str]:
    """("stop", "", "") | ("lookup", code, digits) | ("help", "", ""). With a `keyword`
    (SMS), a lookup must start with it; on Zalo the code alone is enough."""
    words = _normal(text)
    if not words:
        return "help", "", ""
    if words in stop_words() or (keyword and words in {f"{keyword} {w}" for w in stop_words()}):
        return "stop", "", ""
    if keyword:
        if not words.startswith(keyword.upper()):
            return "help", "", ""
        words = words[len(keyword) :].strip()
    found = CODE.search(words)
    if found is None:
        return "help", "", ""
    rest = words[found.end() :]
    digits = DIGITS4.search(rest)
    return "lookup", found.group(0), digits.group(1) if digits else ""


def _allowed(channel: str, sender: str) -> bool:
    """Whether this sender may still be answered today (counted per number and per day)."""
    limit = int(_conf("NOTIFY_INBOUND_PER_DAY", 20))
    day = timezone.localdate().isoformat()
    return ratelimit.count("inbound", f"{channel}:{sender}:{day}", window=86400) <= limit


def _help_once(channel: str, sender: str) -> bool:
    return ratelimit.hit("inbound-help", f"{channel}:{sender}", 1, window=3600)


def answer_text(dossier) -> dict:
    """The lookup's answer, from the same public wording as /tra-cuu/ (no personal data)."""
    from motcua.dossiers.selectors import public_timeline

    lines = public_timeline(dossier)
    latest = lines[-1] if lines else None
    due = latest.awaited_by if latest and latest.awaited_by else dossier.appointment_at
    return {
        "ma_ho_so": dossier.display_code,
        "trang_thai": dossier.state_display,
        "cho": (latest.awaited if latest and latest.awaited else latest.title if latest else ""),
        "han": timezone.localtime(due).strftime("%H:%M %d/%m/%Y") if due else "",
    }


def _help(channel: str) -> str:
    keyword = _conf("NOTIFY_SMS_KEYWORD", "TRACUU")
    number = _conf("NOTIFY_SMS_SHORT_NUMBER", "")
    if channel == Channel.SMS:
        return (
            f"Tra cuu ho so: soan {keyword} <ma ho so> gui {number}".strip()
            + ". Ngung nhan tin: soan TC."
        )
    return _(
        "Để tra cứu, gửi mã hồ sơ và 4 số cuối điện thoại của người nộp, ví dụ: "
        "000.01.30.H39-261204-0001 1234. Gửi HUY để ngừng nhận tin."
    )


def handle(channel: str, sender: str, text: str, *, reply_to: str | None = None) -> str:
    """Answer one inbound message; what happened, for the webhook's log (never the text)."""
    from motcua.dossiers.selectors import last4, public_lookup

    reply_to = reply_to or sender
    reply_channel = Channel.SMS if channel == Channel.SMS else Channel.ZALO_OA
    if not sender or not _allowed(channel, sender):
        log.warning("notify: inbound %s over the daily limit, not answered", channel)
        return "limited"
    keyword = _conf("NOTIFY_SMS_KEYWORD", "TRACUU") if channel == Channel.SMS else None
    kind, code, digits = parse(text, keyword=keyword)
    if kind == "stop":
        # By SMS: no more SMS to that number; on Zalo: no more OA messages to that user (his
        # number is unknown to the OA, so ZNS to a number is stopped by SMS or at the desk).
        services.opt_out(reply_channel, sender)
        return "stopped"
    dossier = None
    if kind == "lookup":
        proof = last4(sender) if channel == Channel.SMS else digits
        dossier = public_lookup(code, proof)
        count_lookup(
            LookupChannel.SMS if channel == Channel.SMS else LookupChannel.ZALO,
            dossier.receiving_agency_id if dossier is not None else None,
            found=dossier is not None,
        )
    if dossier is None:
        if not _help_once(channel, sender):
            return "ignored"
        services.queue(
            channel=reply_channel,
            recipient=reply_to,
            event=Event.LOOKUP,
            data={},
            fallback_text=_help(channel),
            use_template=False,
        )
        return "help"
    data = answer_text(dossier)
    fallback = _("Hồ sơ %(ma_ho_so)s: %(trang_thai)s. %(cho)s. Hạn: %(han)s.") % data
    services.queue(
        channel=reply_channel,
        recipient=reply_to,
        event=Event.LOOKUP,
        data=data,
        dossier=dossier,
        agency_id=dossier.receiving_agency_id,
        fallback_text=fallback,
    )
    return "answered"
