"""What each dossier event says to the applicant: what happened, what is awaited now, and by
when. The citizen's timeline (the lookup, "Hồ sơ của tôi", the API) and the messages to the
applicant read this one table; the control sheet keeps the officers' words (`DossierEvent.label`).

An event kind not in `PUBLIC` is internal and never shown to the public: a draft's saves and
files (the applicant's own work before submitting), assignments, hand-overs inside one agency,
approval and the result's draft and signature (the result itself is the news), an
overpayment noted for refund (the refund is the news) and anonymization. `INTERNAL` names them so that a new kind must be placed in one or the
other (a test checks).
"""

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from .models import Delivery, Dossier, DossierEvent

# The "by when" of a line: the appointment to return the result (the due time before one).
APPOINTMENT = "appointment"


@dataclass(frozen=True)
class Wording:
    title: str
    # What the applicant waits for after this event: "" when nothing (the dossier is closed),
    # None when the event leaves it as it was (a payment does not change who acts next).
    awaited: str | dict | None = None
    by: str | None = None
    # The event's note is written to the applicant (reasons, what to add): messages carry it.
    tells_note: bool = False


PROCESSING = _("Cơ quan đang giải quyết")
ITEMS = _("Chờ bạn bổ sung giấy tờ: %(items)s")
# Once the result is ready, what to do depends on how the applicant chose to receive it.
RESULT = {
    Delivery.COUNTER: _("Mời bạn đến nhận kết quả tại Bộ phận Một cửa"),
    Delivery.POST: _("Kết quả được gửi đến bạn qua bưu chính"),
    Delivery.ELECTRONIC: _("Mời bạn tải kết quả tại trang Hồ sơ của tôi"),
}

PUBLIC: dict[str, Wording] = {
    "submit": Wording(
        _("Đã nộp hồ sơ trực tuyến"), _("Chờ Bộ phận Một cửa kiểm tra và tiếp nhận hồ sơ")
    ),
    "receive": Wording(_("Đã tiếp nhận hồ sơ"), PROCESSING, APPOINTMENT),
    "request_completion": Wording(
        _("Cần hoàn thiện hồ sơ trước khi tiếp nhận"), ITEMS, tells_note=True
    ),
    "refuse_reception": Wording(_("Hồ sơ không được tiếp nhận"), "", tells_note=True),
    # Only a hand-over to another agency (liên thông): see `describe`.
    "forward": Wording(_("Hồ sơ được chuyển đến %(agency)s"), PROCESSING, APPOINTMENT),
    "request_supplement": Wording(_("Cơ quan yêu cầu bổ sung hồ sơ"), ITEMS, tells_note=True),
    "receive_supplement": Wording(_("Đã nhận giấy tờ bổ sung"), PROCESSING, APPOINTMENT),
    "suspend": Wording(
        _("Tạm dừng giải quyết hồ sơ"),
        _("Cơ quan sẽ báo bạn khi giải quyết tiếp"),
        tells_note=True,
    ),
    "resume": Wording(_("Tiếp tục giải quyết hồ sơ"), PROCESSING, APPOINTMENT),
    "apologize": Wording(
        _("Cơ quan xin lỗi vì chậm trả kết quả và hẹn lại ngày trả"),
        PROCESSING,
        APPOINTMENT,
        tells_note=True,
    ),
    "mark_result_ready": Wording(_("Đã có kết quả giải quyết"), RESULT),
    "return_result": Wording(_("Đã trả kết quả"), ""),
    "reject": Wording(_("Hồ sơ bị từ chối giải quyết"), "", tells_note=True),
    "withdraw": Wording(_("Đã rút hồ sơ"), "", tells_note=True),
    "pay_counter": Wording(_("Đã nộp phí, lệ phí tại quầy")),
    "pay_online": Wording(_("Thanh toán phí, lệ phí trực tuyến thành công")),
    "refund_overpaid": Wording(_("Đã hoàn trả số tiền nộp thừa")),
}

INTERNAL = frozenset(
    {
        "create",
        "edit_draft",
        "attach_files",
        "detach_file",
        "assign",
        "claim",
        "approve",
        "attach_result",
        "sign_result",
        "pay_overpaid",
        "anonymize",
    }
)


@dataclass(frozen=True)
class PublicEvent:
    """One line of the citizen's timeline: what, when, which agency (never who)."""

    seq: int
    action: str
    to_state: str
    at: datetime
    agency: str | None
    label: str  # the control sheet's words, kept for the API's existing clients
    title: str
    awaited: str = ""
    awaited_by: datetime | None = None


def _hands_over(event: DossierEvent) -> bool:
    data = event.data or {}
    return bool(data.get("to_agency")) and data.get("to_agency") != data.get("from_agency")


def describe(event: DossierEvent, dossier: Dossier) -> PublicEvent | None:
    """The event in the applicant's words, or None for an internal one. What is awaited and
    by when are read from the dossier as it is now."""
    wording = PUBLIC.get(event.action)
    if wording is None or (event.action == "forward" and not _hands_over(event)):
        return None
    data = event.data or {}
    title = str(wording.title)
    if event.action == "forward":
        title = title % {"agency": data.get("to_agency_name") or ""}
    awaited = wording.awaited
    if isinstance(awaited, dict):
        awaited = awaited.get(dossier.delivery, awaited[Delivery.COUNTER])
    awaited = "" if awaited is None else str(awaited)
    if "%(items)s" in awaited:
        awaited = awaited % {"items": "; ".join(data.get("missing_items") or [])}
    by = (dossier.appointment_at or dossier.due_at) if wording.by == APPOINTMENT else None
    return PublicEvent(
        seq=event.seq,
        action=event.action,
        to_state=event.to_state,
        at=event.at,
        agency=event.actor_agency.name if event.actor_agency_id else None,
        label=event.label,
        title=title,
        awaited=awaited,
        awaited_by=by,
    )


def timeline(events, dossier: Dossier) -> list[PublicEvent]:
    """The public lines of `events` (in order). What is awaited and by when belong to now:
    only the line that set the current expectation keeps them."""
    lines, current = [], None
    for event in events:
        line = describe(event, dossier)
        if line is None:
            continue
        if PUBLIC[event.action].awaited is not None:
            current = len(lines)
        lines.append(line)
    return [
        line if n == current else dataclasses.replace(line, awaited="", awaited_by=None)
        for n, line in enumerate(lines)
    ]


def tells_note(event: DossierEvent) -> bool:
    wording = PUBLIC.get(event.action)
    return bool(wording and wording.tells_note)
