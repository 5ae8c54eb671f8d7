"""Messages and lookups in the reports: the sheet "Thông báo, tra cứu" of the handling report
and its section in the PDF (both from `tables`), and the list of messages as a workbook.

Every text comes from `core.spreadsheets`' guarded cells: a provider's reason or an agency's
name that starts with "=" stays text.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.core import spreadsheets
from motcua.notify.models import Channel, Event, Message

from . import reports
from .messages import Counts, NotificationFigures, masked_recipient


@dataclass(frozen=True)
class Table:
    """One table of the section: its title, column headers and rows of values; a float is
    a percentage (None: nothing to divide), an int a count, anything else text."""

    title: str
    headers: list[str]
    rows: list[list]
    total: list | None = None


def _rate(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def _channel_values(counts: Counts, receipts: bool, delivered_rate: float | None) -> list:
    return [
        counts.total,
        counts.sent_ok,
        counts.delivered if receipts else "—",
        counts.failed,
        counts.given_up,
        counts.pending,
        _rate(counts.sent_rate),
        _rate(delivered_rate) if receipts else "—",
    ]


def tables(fig: NotificationFigures) -> list[Table]:
    """The figures as the reports print them, in the order of the monitoring page."""
    failures = _("Lỗi, ngừng thử lại")
    return [
        Table(
            _("Tin đã gửi theo kênh"),
            [
                _("Kênh"),
                _("Tổng số"),
                _("Gửi thành công"),
                _("Báo đã nhận"),
                _("Lỗi"),
                _("Đã ngừng thử lại"),
                _("Đang chờ gửi"),
                _("Tỷ lệ gửi thành công"),
                _("Tỷ lệ báo đã nhận"),
            ],
            [
                [r.label, *_channel_values(r.counts, r.receipts, r.counts.delivered_rate)]
                for r in fig.channels
            ],
            [_("Tổng cộng"), *_channel_values(fig.total, True, fig.delivered_rate)],
        ),
        Table(
            _("Tin đã gửi theo sự kiện"),
            [_("Sự kiện"), _("Tổng số"), _("Báo đã nhận"), failures],
            [[r.label, r.counts.total, r.counts.delivered, r.counts.failures] for r in fig.events],
        ),
        Table(
            _("Tin đã gửi theo cơ quan"),
            [_("Cơ quan"), _("Tổng số"), _("Gửi thành công"), _("Báo đã nhận"), failures],
            [
                [r.label, r.counts.total, r.counts.sent_ok, r.counts.delivered, r.counts.failures]
                for r in fig.agencies
            ],
        ),
        Table(
            _("Lỗi gửi theo lý do"),
            [_("Kênh"), _("Lý do"), _("Số tin")],
            [[f.channel_label, f.reason or _("(không ghi lý do)"), f.count] for f in fig.failures],
        ),
        Table(
            _("Lượt tra cứu theo kênh"),
            [_("Kênh"), _("Tìm thấy hồ sơ"), _("Không tìm thấy"), _("Tổng số")],
            [[r.label, r.found, r.not_found, r.total] for r in fig.lookups],
            [
                _("Tổng cộng"),
                fig.lookups_total.found,
                fig.lookups_total.not_found,
                fig.lookups_total.total,
            ],
        ),
    ]


def _shown(value) -> str:
    if isinstance(value, float):
        return f"{value:.1f}%".replace(".", ",")
    if isinstance(value, int):
        return reports.group_number(value)
    return "—" if value is None else str(value)


def _cells(values: list) -> list[dict]:
    # Numbers (and the dash standing for one) are aligned right; texts left.
    return [
        {"text": _shown(v), "n": (i > 0 and not isinstance(v, str)) or v == "—"}
        for i, v in enumerate(values)
    ]


def pdf_tables(fig: NotificationFigures) -> list[dict]:
    """The tables with their numbers written as the PDF prints them ("1.234", "93,5%")."""
    return [
        {
            "title": t.title,
            "headers": t.headers,
            "rows": [_cells(row) for row in t.rows],
            "total": _cells(t.total) if t.total else None,
        }
        for t in tables(fig)
    ]


SHEET_TITLE = gettext_lazy("Thông báo, tra cứu")
PERCENT_FORMAT = "0.0%"


def add_sheet(wb, st, fig: NotificationFigures, *, unit_name: str) -> None:
    """The sheet "Thông báo, tra cứu" of the handling report workbook."""
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(str(SHEET_TITLE))
    head = spreadsheets.write(ws, 1, 1, _("THÔNG BÁO VÀ TRA CỨU"))
    head.font = st.title
    spreadsheets.write(ws, 2, 1, unit_name)
    spreadsheets.write(ws, 3, 1, reports.period_line(fig.period))
    r = 4
    for table in tables(fig):
        r += 1
        spreadsheets.write(ws, r, 1, table.title).font = st.bold
        r += 1
        for c, header in enumerate(table.headers, start=1):
            cell = spreadsheets.write(ws, r, c, header)
            cell.font, cell.fill, cell.border, cell.alignment = (
                st.bold,
                st.fill,
                st.border,
                st.center,
            )
        body = [*table.rows, *([table.total] if table.total else [])]
        if not table.rows:
            r += 1
            spreadsheets.write(ws, r, 1, _("Không có số liệu trong kỳ."))
        for i, values in enumerate(body):
            r += 1
            for c, value in enumerate(values, start=1):
                cell = spreadsheets.write(
                    ws, r, c, value / 100 if isinstance(value, float) else value
                )
                cell.border = st.border
                if isinstance(value, float):
                    cell.number_format = PERCENT_FORMAT
                elif isinstance(value, int):
                    cell.number_format = reports.COUNT_FORMAT
                if table.total and i == len(body) - 1:
                    cell.font = st.bold
        r += 1
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 40
    for c in range(3, 10):
        ws.column_dimensions[get_column_letter(c)].width = 14
    reports._print_setup(ws)


# -- the list of messages --------------------------------------------------------------------

LIST_COLUMNS = (
    (gettext_lazy("Tạo lúc"), 16),
    (gettext_lazy("Kênh"), 16),
    (gettext_lazy("Sự kiện"), 30),
    (gettext_lazy("Người nhận (đã che)"), 20),
    (gettext_lazy("Mã hồ sơ"), 26),
    (gettext_lazy("Cơ quan"), 30),
    (gettext_lazy("Trạng thái"), 18),
    (gettext_lazy("Số lần gửi"), 10),
    (gettext_lazy("Lý do"), 40),
    (gettext_lazy("Gửi lúc"), 16),
    (gettext_lazy("Nhận lúc"), 16),
)
LIST_DATES = (0, 9, 10)


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def messages_xlsx(*, title: str, messages) -> bytes:
    """Messages as a workbook: the title, a header row, one row per message (streamed), with
    the recipient masked and no text, as on the page."""
    st = reports._Styles()
    wb, ws = reports._write_only([w for _label_, w in LIST_COLUMNS], _("Tin đã gửi"))
    w = reports._Writer(wb, ws, st)
    ws.freeze_panes = "A3"
    reports._print_setup(ws, "2:2")
    ws.merged_cells.add(reports._range(1, 1, 1, len(LIST_COLUMNS)))
    ws.append([w.cell(title, font=st.title, align=st.left)])
    ws.append(
        [
            w.cell(str(label), font=st.bold, align=st.center, border=True, fill=True)
            for label, _width in LIST_COLUMNS
        ]
    )
    count = 0
    for m in messages.iterator(chunk_size=2000):
        count += 1
        dossier = m.dossier
        values = (
            reports._local(m.created_at),
            _label(Channel, m.channel),
            _label(Event, m.event),
            masked_recipient(m.recipient),
            dossier.display_code if dossier else "",
            m.agency.name if m.agency else "",
            _label(Message.Status, m.status),
            m.attempts,
            m.reason,
            reports._local(m.sent_at),
            reports._local(m.delivered_at),
        )
        ws.append(w.row(values, LIST_DATES))
    ws.auto_filter.ref = reports._range(2, 1, 2 + count, len(LIST_COLUMNS))
    return spreadsheets.workbook_bytes(wb)
