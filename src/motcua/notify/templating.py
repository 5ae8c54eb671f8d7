"""Message templates: which placeholders each event offers, rendering, and the checks made when
an officer saves a template (unknown placeholders, an SMS's length in segments).

Placeholders are written `{ma_ho_so}`; a literal brace is doubled (`{{`). An SMS brandname
template must match what the carrier registered, so its wording is fixed and only the values
change; its length is judged on typical values (SAMPLE), since the carrier counts the text
actually sent.
"""

from string import Formatter

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import sms_text
from .models import Channel, Event

COMMON = ("ma_ho_so", "thu_tuc", "co_quan", "tra_cuu")
PLACEHOLDERS: dict[str, tuple[str, ...]] = {
    Event.RECEIVED: (*COMMON, "hen_tra"),
    Event.COMPLETION: (*COMMON, "giay_to"),
    Event.NOT_RECEIVED: (*COMMON, "ly_do"),
    Event.SUPPLEMENT: (*COMMON, "giay_to"),
    Event.SUSPENDED: (*COMMON, "ly_do"),
    Event.APOLOGY: (*COMMON, "hen_tra", "ly_do"),
    Event.RESULT_READY: (*COMMON, "cach_nhan"),
    Event.RETURNED: COMMON,
    Event.REJECTED: (*COMMON, "ly_do"),
    Event.PAID: (*COMMON, "so_tien"),
    Event.FEEDBACK_ANSWERED: ("tieu_de", "duong_dan"),
    Event.LOOKUP: ("ma_ho_so", "trang_thai", "han", "cho"),
    Event.LOOKUP_LINK: ("ma_ho_so", "tra_cuu"),
}

# Typical values, for judging a template's length before anything is sent.
SAMPLE = {
    "ma_ho_so": "000.01.30.H39-261204-0001",
    "thu_tuc": "Đăng ký khai sinh",
    "co_quan": "UBND phường 1",
    "tra_cuu": "https://dichvucong.example.vn/tra-cuu/?ma=000.01.30.H39-261204-0001",
    "hen_tra": "16:30 09/12/2026",
    "giay_to": "Bản sao giấy chứng sinh",
    "ly_do": "Chờ kết quả xác minh",
    "cach_nhan": "Nhận tại Bộ phận Một cửa",
    "so_tien": "100.000 đ",
    "tieu_de": "Thời gian giải quyết",
    "duong_dan": "https://dichvucong.example.vn/phan-anh/1/",
    "trang_thai": "Đang xử lý",
    "han": "16:30 09/12/2026",
    "cho": "Cơ quan đang giải quyết",
}

# A template longer than this many segments is refused: a citizen's phone would show a wall
# of text and the province would pay for each segment.
MAX_SMS_SEGMENTS = 3


def placeholders_of(text: str) -> list[str]:
    """The placeholder names a template uses, in order; ValueError on a malformed brace."""
    return [name for _lit, name, _spec, _conv in Formatter().parse(text) if name is not None]


class _Missing(dict):
    def __missing__(self, key):
        return ""


def render(text: str, data: dict) -> str:
    """The template filled with `data`; an absent value leaves nothing, never a crash."""
    return text.format_map(_Missing({k: "" if v is None else str(v) for k, v in data.items()}))


def sms_length(text: str) -> tuple[int, str, int]:
    """(segments, encoding, characters) of a template filled with the typical values."""
    filled = render(text, SAMPLE)
    count, encoding = sms_text.segments(filled)
    return count, encoding, len(filled)


def check_template(template) -> None:
    """Refuse a template that could not be sent as written (ValidationError, in Vietnamese)."""
    allowed = PLACEHOLDERS.get(template.event, ())
    for name, text in (("text", template.text), ("subject", template.subject)):
        try:
            used = placeholders_of(text or "")
        except ValueError:
            raise ValidationError(
                {name: _("Dấu ngoặc nhọn không khớp: viết {{ và }} cho dấu ngoặc thường.")}
            ) from None
        unknown = sorted({u for u in used if u not in allowed})
        if unknown:
            raise ValidationError(
                {
                    name: _("Không có trường %(names)s cho sự kiện này. Dùng được: %(ok)s.")
                    % {
                        "names": ", ".join("{" + u + "}" for u in unknown),
                        "ok": ", ".join("{" + a + "}" for a in allowed),
                    }
                }
            )
    if template.channel == Channel.SMS:
        count, encoding, _chars = sms_length(template.text)
        if count > MAX_SMS_SEGMENTS:
            raise ValidationError(
                {
                    "text": _(
                        "Tin dài %(n)s tin nhắn (%(enc)s): tối đa %(max)s. Rút gọn nội dung "
                        "hoặc bỏ dấu."
                    )
                    % {"n": count, "enc": encoding.upper(), "max": MAX_SMS_SEGMENTS}
                }
            )
    if template.channel == Channel.ZNS and not template.zns_template_id:
        raise ValidationError({"zns_template_id": _("Tin ZNS cần mã mẫu đã được Zalo duyệt.")})
