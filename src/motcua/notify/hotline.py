"""The hotline desk (tổng đài): finding a caller's dossiers across the operator's scope, the
script he reads to the caller (built from the public lookup's wording), and sending the lookup
link to the applicant's own phone.

Every dossier the desk shows, in a list or opened, is a read of the applicant's name and phone:
one line each in the personal-data record (motcua.privacy.access), so the person sees who
looked him up. Lookups are counted per operator and hour, so the desk cannot copy the
province's dossiers; links are counted per dossier, so it cannot flood an applicant.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.core import ratelimit
from motcua.dossiers import public_events
from motcua.dossiers.deadlines import dossier_timeliness
from motcua.dossiers.lifecycle import State
from motcua.dossiers.models import Dossier, Timeliness
from motcua.dossiers.public_events import PublicEvent
from motcua.dossiers.selectors import find_visible, lookup_url, public_timeline, visible_dossiers
from motcua.org.permissions import require
from motcua.privacy.access import record_read
from motcua.privacy.models import Purpose

from . import services as notify
from .channels import Permanent, phone_e164_vn
from .models import Channel, Event, LookupChannel, Message, Template
from .permissions import HOTLINE_SEARCH, HOTLINE_SEND_LINK
from .tally import count_lookup

MAX_RESULTS = 20
# The channels a link goes by, with the short names the operator and the caller use.
LINK_CHANNELS = {Channel.SMS: gettext_lazy("SMS"), Channel.ZNS: gettext_lazy("Zalo")}

_SEPARATORS = re.compile(r"[\s.\-()/]+")


class Refused(Exception):
    """What the desk cannot do now, in words for the operator."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


# --- reading -------------------------------------------------------------------------------


def hotline_dossiers(user) -> QuerySet[Dossier]:
    """The dossiers the operator may look up: those of his scope, once submitted."""
    return visible_dossiers(user, HOTLINE_SEARCH).exclude(state=State.DRAFT)


def masked_phone(phone: str) -> str:
    """Enough of a number to recognise it, too little to call it: "0903 *** 222"."""
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if len(digits) < 7:
        return "***" if digits else ""
    return f"{digits[:4]} *** {digits[-3:]}"


def _local_phone(digits: str) -> str | None:
    """The stored form ("0903111222") of a number typed as +84…, 0084…, 84… or 0…."""
    if digits.startswith("0084"):
        digits = "0" + digits[4:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    elif len(digits) == 9 and not digits.startswith("0"):
        digits = "0" + digits  # typed without its leading zero
    return digits if digits.startswith("0") and len(digits) in (10, 11) else None


def search_condition(text: str) -> Q:
    """What a typed line matches: a dossier code exactly, or a phone number in any of the
    forms people say it, or an ID number (CCCD 12 digits, old ID 9) or tax code (10 or 13).
    Raises Refused for a line that can be none of these."""
    text = " ".join((text or "").split())
    if not text:
        raise Refused(_("Nhập mã hồ sơ, số điện thoại hoặc số CCCD của người gọi."))
    if len(text) > 64:
        raise Refused(_("Nội dung tìm kiếm quá dài: nhập một mã hồ sơ hoặc một số."))
    condition = Q(code=text) | Q(code=text.upper())
    digits = _SEPARATORS.sub("", text).removeprefix("+")
    if not digits.isdigit():
        if len(text) < 6:
            raise Refused(_("Quá ngắn: nhập đủ mã hồ sơ như trên giấy tiếp nhận."))
        return condition
    numbers = set()
    phone = _local_phone(digits)
    if phone:
        numbers |= {phone, "84" + phone[1:], "+84" + phone[1:]}
        condition |= Q(applicant_phone__in=numbers)
    ids = {digits} if len(digits) in (9, 10, 12, 13) else set()
    if len(digits) == 13:
        ids.add(f"{digits[:10]}-{digits[10:]}")  # a branch's tax code
    if ids:
        condition |= Q(applicant_id_number__in=ids)
    if not numbers and not ids:
        raise Refused(
            _(
                "Không nhận ra số này: số điện thoại có 10 số, số CCCD có 12 số, "
                "mã số thuế có 10 hoặc 13 số."
            )
        )
    return condition


@dataclass(frozen=True)
class Row:
    """One dossier of a result list, as the operator sees it."""

    dossier: Dossier
    phone: str  # masked
    timeliness: str  # a Timeliness value

    @property
    def timeliness_label(self) -> str:
        return Timeliness(self.timeliness).label


@dataclass
class Search:
    query: str = ""
    rows: list[Row] = field(default_factory=list)
    error: str = ""
    too_many: bool = False
    status: int = 200

    @property
    def searched(self) -> bool:
        return bool(self.query) and not self.error


def _count_lookup(user) -> None:
    limit = settings.MOTCUA.get("HOTLINE_LOOKUPS_PER_HOUR", 120)
    if not ratelimit.hit("hotline", str(user.pk), limit, window=3600):
        raise Refused(
            _(
                "Bạn đã tra cứu %(n)s lần trong một giờ, là mức tối đa của tổng đài. "
                "Vui lòng thử lại sau ít phút."
            )
            % {"n": limit},
            status=429,
        )


def _record(request, dossier: Dossier, purpose: str = Purpose.HOTLINE) -> None:
    record_read(request, purpose=purpose, dossier=dossier, action=HOTLINE_SEARCH)


def desk_search(request, text: str) -> Search:
    """The dossiers matching `text` in the operator's scope, newest first, at most
    MAX_RESULTS; each one shown is recorded as a read of its applicant's data."""
    user = request.user
    require(user, HOTLINE_SEARCH)
    search = Search(query=" ".join((text or "").split())[:64])
    try:
        condition = search_condition(text)
        _count_lookup(user)
    except Refused as refused:
        search.error, search.status = refused.message, refused.status
        return search
    found = list(
        hotline_dossiers(user)
        .filter(condition)
        .select_related("procedure", "receiving_agency")
        .order_by("-created_at", "-pk")[: MAX_RESULTS + 1]
    )
    search.too_many = len(found) > MAX_RESULTS
    # One lookup per search; its agency only when the caller's dossier is the one found.
    one = found[0].receiving_agency_id if len(found) == 1 else None
    count_lookup(LookupChannel.HOTLINE, one, found=bool(found))
    now = timezone.now()
    with transaction.atomic():
        for d in found[:MAX_RESULTS]:
            _record(request, d)
            search.rows.append(Row(d, masked_phone(d.applicant_phone), dossier_timeliness(d, now)))
    return search


@dataclass(frozen=True)
class Script:
    """What the operator reads to the caller, and the facts he checks first."""

    dossier: Dossier
    lines: list[str]
    timeline: list[PublicEvent]
    phone: str  # masked
    timeliness: str
    channels: list[tuple[str, str]]  # (value, label) of the channels a link may go by now
    cannot_send: str  # why no link can be sent, if so


def _moment(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if value else ""


def _sentence(text: str) -> str:
    text = str(text).strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _current(timeline: list[PublicEvent]) -> PublicEvent | None:
    """The line that set what is awaited now (as public_events.timeline decides it)."""
    found = None
    for line in timeline:
        if public_events.PUBLIC[line.action].awaited is not None:
            found = line
    return found


def _where(dossier: Dossier) -> str:
    agency = dossier.receiving_agency
    parts = [agency.name]
    if agency.address:
        parts.append(_("địa chỉ %(address)s") % {"address": agency.address})
    if agency.phone:
        parts.append(_("điện thoại %(phone)s") % {"phone": agency.phone})
    return _("Nơi tiếp nhận và trả kết quả: %(where)s.") % {"where": ", ".join(parts)}


def script_lines(dossier: Dossier, timeline: list[PublicEvent]) -> list[str]:
    """The script in the public lookup's words: which dossier, its state, what is awaited
    and by when, any note the agency wrote to the applicant, where, and how to look it up."""
    intro = {
        "code": dossier.display_code,
        "procedure": dossier.procedure.name,
        "agency": dossier.receiving_agency.name,
        "at": _moment(dossier.received_at),
    }
    if dossier.received_at:
        first = _("Hồ sơ %(code)s, thủ tục “%(procedure)s”, %(agency)s tiếp nhận lúc %(at)s.")
    else:
        first = _("Hồ sơ %(code)s, thủ tục “%(procedure)s”, nộp tại %(agency)s.")
    lines = [first % intro, _("Trạng thái hiện nay: %(state)s.") % {"state": dossier.state_display}]
    if timeline:
        last = timeline[-1]
        lines.append(
            _("Cập nhật gần nhất: %(title)s, lúc %(at)s.")
            % {"title": last.title, "at": _moment(last.at)}
        )
    current = _current(timeline)
    if current is not None and current.awaited:
        lines.append(_sentence(current.awaited))
    if current is not None and current.awaited_by:
        lines.append(_("Hẹn trả kết quả: %(at)s.") % {"at": _moment(current.awaited_by)})
    if current is not None and public_events.PUBLIC[current.action].tells_note:
        note = dossier.events.filter(seq=current.seq).values_list("note", flat=True).first()
        if note:
            lines.append(_("Cơ quan ghi cho bạn: %(note)s") % {"note": _sentence(note)})
    lines.append(_where(dossier))
    if dossier.code:
        lines.append(
            _(
                "Bạn có thể tự tra cứu tại %(url)s bằng mã hồ sơ và 4 số cuối "
                "số điện thoại đã khai khi nộp."
            )
            % {"url": lookup_url(dossier)}
        )
    return lines


def _link_channels(dossier: Dossier) -> tuple[list[tuple[str, str]], str]:
    """The channels a link can go by now, or why none can."""
    if not dossier.code:
        return [], _("Hồ sơ chưa có mã: chưa có đường dẫn tra cứu để gửi.")
    if not dossier.applicant_phone:
        return [], _("Hồ sơ không có số điện thoại của người nộp.")
    try:
        phone_e164_vn(dossier.applicant_phone)
    except Permanent:
        return [], _("Số điện thoại của người nộp không phải số di động: không gửi tin được.")
    active = set(
        Template.objects.filter(
            event=Event.LOOKUP_LINK, channel__in=list(LINK_CHANNELS), active=True
        ).values_list("channel", flat=True)
    )
    channels = [(c.value, str(label)) for c, label in LINK_CHANNELS.items() if c in active]
    if not channels:
        return [], _("Chưa có mẫu tin gửi đường dẫn tra cứu: liên hệ quản trị hệ thống.")
    return channels, ""


def hotline_script(dossier: Dossier) -> Script:
    timeline = public_timeline(dossier)
    channels, cannot_send = _link_channels(dossier)
    return Script(
        dossier=dossier,
        lines=script_lines(dossier, timeline),
        timeline=timeline,
        phone=masked_phone(dossier.applicant_phone),
        timeliness=Timeliness(dossier_timeliness(dossier)).label,
        channels=channels,
        cannot_send=cannot_send,
    )


def _find(user, key: str) -> Dossier:
    qs = hotline_dossiers(user).select_related("procedure", "receiving_agency")
    found = find_visible(user, (key or "").strip(), qs)
    if found is None:
        raise Http404
    return found


def desk_open(request, key: str) -> Script:
    """One dossier of the operator's scope by its code (or reference), with its script;
    the read is recorded and counted as a lookup."""
    require(request.user, HOTLINE_SEARCH)
    _count_lookup(request.user)
    dossier = _find(request.user, key)
    _record(request, dossier)
    return hotline_script(dossier)


def desk_dossier(user, key: str) -> Dossier:
    """The dossier a send is about: of the operator's scope, or 404."""
    require(user, HOTLINE_SEND_LINK)
    return _find(user, key)


# --- writing -------------------------------------------------------------------------------


def hotline_send_link(*, request, dossier: Dossier, channel: str) -> Message:
    """Queue the lookup link to the applicant's own phone on `channel` (never to a number the
    operator types: the desk must not become a way to message anyone), and record it."""
    user = request.user
    require(user, HOTLINE_SEND_LINK)
    if not hotline_dossiers(user).filter(pk=dossier.pk).exists():
        raise PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))
    if channel not in LINK_CHANNELS:
        raise Refused(_("Chọn gửi qua SMS hoặc Zalo."))
    available, cannot_send = _link_channels(dossier)
    if cannot_send:
        raise Refused(cannot_send)
    label = LINK_CHANNELS[channel]
    if channel not in dict(available):
        raise Refused(
            _("Chưa gửi được qua %(channel)s: tỉnh chưa có mẫu tin được duyệt cho kênh này.")
            % {"channel": label}
        )
    limit = settings.MOTCUA.get("HOTLINE_LINKS_PER_HOUR", 3)
    if ratelimit.exceeded("hotline-link", str(dossier.pk), limit, window=3600):
        raise Refused(
            _("Đã gửi đường dẫn của hồ sơ này %(n)s lần trong một giờ qua; vui lòng đợi.")
            % {"n": limit},
            status=429,
        )
    phone = dossier.applicant_phone
    with transaction.atomic():
        message = notify.queue(
            channel=channel,
            recipient=phone,
            event=Event.LOOKUP_LINK,
            data={"ma_ho_so": dossier.display_code, "tra_cuu": lookup_url(dossier)},
            dossier=dossier,
            agency_id=dossier.receiving_agency_id,
        )
        if message is None:
            if notify.opted_out(channel, phone):
                raise Refused(
                    _("Số %(phone)s đã từ chối nhận tin qua %(channel)s: không gửi.")
                    % {"phone": masked_phone(phone), "channel": label}
                )
            raise Refused(
                _("Chưa gửi được qua %(channel)s: không có mẫu tin cho kênh này.")
                % {"channel": label}
            )
        _record(request, dossier, Purpose.HOTLINE_LINK)
    ratelimit.count("hotline-link", str(dossier.pk), window=3600)
    return message


def sent_notice(message: Message) -> str:
    return _("Đã gửi đường dẫn tra cứu qua %(channel)s đến số %(phone)s.") % {
        "channel": LINK_CHANNELS[Channel(message.channel)],
        "phone": masked_phone(message.recipient),
    }
