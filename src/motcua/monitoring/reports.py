"""Reports sent upward (handling of procedures, per Circular 01/2020/TT-VPCP), the dossier
register (Form 07) and plain dossier lists, as workbooks (openpyxl) and PDF (WeasyPrint).

openpyxl is imported where a workbook is made, as in `dossiers.forms_pdf`; every workbook is
made by `core.spreadsheets`, which keeps what applicants typed as text, never a formula.
"""

from datetime import date, datetime

from django.db.models import OuterRef, QuerySet, Subquery
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from motcua.core import spreadsheets
from motcua.dossiers.forms_data import date_words
from motcua.dossiers.forms_pdf import html_to_pdf
from motcua.dossiers.lifecycle import State
from motcua.dossiers.models import Channel, DossierEvent, Timeliness

from .facts import ENDED_WITH_RESULT, PAUSED
from .figures import Figures
from .periods import Period

REPORT_TITLE = "BÁO CÁO TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
COUNT_FORMAT = "#,##0"

# The handling report's header: (row, column, rows spanned, columns spanned, text), 0-based.
# STT, the row label, then 12 numeric columns in the order of `report_values`.
REPORT_HEADER = (
    (0, 0, 3, 1, gettext_lazy("STT")),
    (0, 1, 3, 1, gettext_lazy("Lĩnh vực / Đơn vị")),
    (0, 2, 1, 5, gettext_lazy("Số hồ sơ nhận giải quyết")),
    (0, 7, 1, 4, gettext_lazy("Số hồ sơ đã giải quyết")),
    (0, 11, 1, 3, gettext_lazy("Số hồ sơ đang giải quyết")),
    (1, 2, 2, 1, gettext_lazy("Tổng số")),
    (1, 3, 1, 3, gettext_lazy("Trong kỳ")),
    (1, 6, 2, 1, gettext_lazy("Từ kỳ trước")),
    (1, 7, 2, 1, gettext_lazy("Tổng số")),
    (1, 8, 2, 1, gettext_lazy("Trước hạn")),
    (1, 9, 2, 1, gettext_lazy("Đúng hạn")),
    (1, 10, 2, 1, gettext_lazy("Quá hạn")),
    (1, 11, 2, 1, gettext_lazy("Tổng số")),
    (1, 12, 2, 1, gettext_lazy("Trong hạn")),
    (1, 13, 2, 1, gettext_lazy("Quá hạn")),
    (2, 3, 1, 1, gettext_lazy("Trực tuyến")),
    (2, 4, 1, 1, gettext_lazy("Trực tiếp")),
    (2, 5, 1, 1, gettext_lazy("Qua bưu chính")),
)
REPORT_HEADER_ROWS = 3
REPORT_COLUMNS = 14

# Form 07 "Sổ theo dõi hồ sơ": the register's header, in the same shape.
REGISTER_HEADER = (
    (0, 0, 2, 1, gettext_lazy("STT")),
    (0, 1, 2, 1, gettext_lazy("Mã hồ sơ")),
    (0, 2, 2, 1, gettext_lazy("Tên thủ tục hành chính")),
    (0, 3, 2, 1, gettext_lazy("Số lượng hồ sơ (bộ)")),
    (0, 4, 2, 1, gettext_lazy("Tên cá nhân, tổ chức")),
    (0, 5, 2, 1, gettext_lazy("Địa chỉ, số điện thoại")),
    (0, 6, 2, 1, gettext_lazy("Cơ quan chủ trì giải quyết")),
    (0, 7, 1, 5, gettext_lazy("Ngày, tháng, năm")),
    (1, 7, 1, 1, gettext_lazy("Nhận hồ sơ")),
    (1, 8, 1, 1, gettext_lazy("Hẹn trả kết quả")),
    (1, 9, 1, 1, gettext_lazy("Chuyển hồ sơ đến cơ quan giải quyết")),
    (1, 10, 1, 1, gettext_lazy("Nhận kết quả từ cơ quan giải quyết")),
    (1, 11, 1, 1, gettext_lazy("Trả kết quả cho cá nhân, tổ chức")),
    (0, 12, 2, 1, gettext_lazy("Ghi chú")),
)
REGISTER_HEADER_ROWS = 2
REGISTER_WIDTHS = (6, 24, 44, 9, 26, 32, 28, 16, 16, 16, 16, 16, 30)
REGISTER_DATES = range(7, 12)

LIST_COLUMNS = (
    (gettext_lazy("Mã hồ sơ"), 24),
    (gettext_lazy("Thủ tục hành chính"), 48),
    (gettext_lazy("Người nộp / tổ chức"), 28),
    (gettext_lazy("Nơi tiếp nhận"), 30),
    (gettext_lazy("Kênh tiếp nhận"), 16),
    (gettext_lazy("Trạng thái"), 18),
    (gettext_lazy("Tiếp nhận"), 16),
    (gettext_lazy("Hạn giải quyết"), 16),
    (gettext_lazy("Kết thúc"), 16),
)
LIST_DATES = range(6, 9)


def report_values(figures: Figures) -> list[int]:
    """The 12 numbers of one report row, in the order of the header's columns."""
    c = figures.count
    return [
        c("received") + c("carried"),
        c("received_online"),
        c("received_counter"),
        c("received_post"),
        c("carried"),
        c("finished"),
        c("early"),
        c("on_time"),
        c("late"),
        c("in_progress"),
        c("in_time"),
        c("overdue"),
    ]


def group_number(value: int) -> str:
    """12345 -> "12.345", as official forms write numbers."""
    return f"{value:,}".replace(",", ".")


def period_line(period: Period) -> str:
    """ "Kỳ báo cáo: Quý I/2026 (từ ngày 01/01/2026 đến ngày 31/03/2026)"."""
    if period.kind == "custom":
        return _("Kỳ báo cáo: %(p)s") % {"p": period.label}
    return _("Kỳ báo cáo: %(p)s (từ ngày %(a)s đến ngày %(b)s)") % {
        "p": period.label,
        "a": period.start.strftime("%d/%m/%Y"),
        "b": period.end.strftime("%d/%m/%Y"),
    }


def _date_range(period: Period) -> str:
    return _("Từ ngày %(a)s đến ngày %(b)s") % {
        "a": period.start.strftime("%d/%m/%Y"),
        "b": period.end.strftime("%d/%m/%Y"),
    }


def _subtitle(title: str) -> str:
    """The caller's title, unless it only repeats the form's own."""
    return "" if " ".join(title.split()).upper() == REPORT_TITLE else title.strip()


def _local(value: datetime | None) -> datetime | None:
    # Excel has no time zones: the wall-clock time in Việt Nam.
    if value is None:
        return None
    return timezone.localtime(value, timezone.get_default_timezone()).replace(tzinfo=None)


def _print_setup(ws, title_rows: str | None = None) -> None:
    """A4 landscape, one page wide, header rows repeated on every page."""
    from openpyxl.worksheet.worksheet import Worksheet

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    if title_rows:
        ws.print_title_rows = title_rows


class _Styles:
    """The few styles the workbooks use, made once per workbook."""

    def __init__(self):
        from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

        thin = Side(style="thin", color="000000")
        self.border = Border(left=thin, right=thin, top=thin, bottom=thin)
        self.bold = Font(bold=True)
        self.title = Font(bold=True, size=13)
        self.italic = Font(italic=True)
        self.fill = PatternFill("solid", fgColor="D9E1F2")
        self.center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        self.left = Alignment(horizontal="left", vertical="center", wrap_text=True)
        self.right = Alignment(horizontal="right", vertical="center")
        self.top = Alignment(vertical="top", wrap_text=True)


# -- the handling report -------------------------------------------------------------------


def handling_report_xlsx(
    *,
    title: str,
    unit_name: str,
    period: Period,
    rows: list[tuple[str, Figures]],
    total: Figures,
    made_on: date | None = None,
    notifications=None,
) -> bytes:
    """The report on handling administrative procedures as a workbook: one row per label,
    then "Tổng cộng" from `total`; with `notifications` (monitoring.messages), a second sheet
    of the messages sent and lookups answered."""
    from openpyxl.utils import get_column_letter

    st = _Styles()
    made_on = made_on or timezone.localdate()
    wb = spreadsheets.new_workbook()
    ws = wb.active
    ws.title = _("Kết quả giải quyết")
    last = get_column_letter(REPORT_COLUMNS)

    def line(row: int, first: str, end: str, value: str, font, align) -> None:
        ws.merge_cells(f"{first}{row}:{end}{row}")
        cell = spreadsheets.as_text(ws[f"{first}{row}"], value)
        cell.font, cell.alignment = font, align

    line(1, "A", "F", unit_name.upper(), st.bold, st.center)
    line(1, "I", last, NATION, st.bold, st.center)
    line(2, "I", last, MOTTO, st.bold, st.center)
    row = 4
    line(row, "A", last, REPORT_TITLE, st.title, st.center)
    if subtitle := _subtitle(title):
        row += 1
        line(row, "A", last, subtitle, st.bold, st.center)
    line(row + 1, "A", last, period_line(period), None, st.center)
    made = _("Ngày lập: %(d)s") % {"d": made_on.strftime("%d/%m/%Y")}
    line(row + 2, "A", last, made, st.italic, st.center)
    unit_cell = ws.cell(row=row + 3, column=REPORT_COLUMNS, value=_("Đơn vị tính: hồ sơ"))
    unit_cell.font = st.italic
    unit_cell.alignment = st.right
    top = row + 4  # the header's first row

    for r, c, height, width, text in REPORT_HEADER:
        if height > 1 or width > 1:
            ws.merge_cells(
                start_row=top + r,
                start_column=c + 1,
                end_row=top + r + height - 1,
                end_column=c + 1 + width - 1,
            )
        ws.cell(row=top + r, column=c + 1, value=str(text))
    numbers = top + REPORT_HEADER_ROWS  # the row of column numbers (1), (2)...
    for c in range(REPORT_COLUMNS):
        ws.cell(row=numbers, column=c + 1, value=f"({c + 1})")
    for cells in ws.iter_rows(min_row=top, max_row=numbers, max_col=REPORT_COLUMNS):
        for cell in cells:
            cell.border, cell.alignment = st.border, st.center
            if cell.row < numbers:
                cell.font, cell.fill = st.bold, st.fill
            else:
                cell.font = st.italic
    for r in range(top, numbers):
        ws.row_dimensions[r].height = 30

    def data_row(r: int, values: list[int], font=None) -> None:
        for c, value in enumerate(values, start=3):
            cell = ws.cell(row=r, column=c, value=int(value))
            cell.number_format, cell.border = COUNT_FORMAT, st.border
            if font:
                cell.font = font

    r = numbers
    for no, (label, figures) in enumerate(rows, start=1):
        r += 1
        ws.cell(row=r, column=1, value=no).alignment = st.center
        spreadsheets.write(ws, r, 2, str(label)).alignment = st.left
        ws.cell(row=r, column=1).border = ws.cell(row=r, column=2).border = st.border
        data_row(r, report_values(figures))
    r += 1
    ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
    head = ws.cell(row=r, column=1, value=_("Tổng cộng"))
    head.font, head.alignment = st.bold, st.center
    ws.cell(row=r, column=1).border = ws.cell(row=r, column=2).border = st.border
    data_row(r, report_values(total), st.bold)

    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 38
    for c in range(3, REPORT_COLUMNS + 1):
        ws.column_dimensions[get_column_letter(c)].width = 11
    ws.freeze_panes = f"A{numbers + 1}"
    _print_setup(ws, f"{top}:{numbers}")
    if notifications is not None:
        from .message_reports import add_sheet  # it builds on this module's helpers

        add_sheet(wb, st, notifications, unit_name=unit_name)
    return spreadsheets.workbook_bytes(wb)


def _header_rows(spec) -> list[list[dict]]:
    """The header as table rows of cells with rowspan and colspan, for HTML."""
    out: list[list[dict]] = [[] for _row in range(max(s[0] for s in spec) + 1)]
    for r, _c, height, width, text in sorted(spec, key=lambda s: (s[0], s[1])):
        out[r].append({"rowspan": height, "colspan": width, "text": str(text)})
    return out


def handling_report_pdf(
    *,
    title: str,
    unit_name: str,
    period: Period,
    rows: list[tuple[str, Figures]],
    total: Figures,
    made_on: date | None = None,
    place: str = "",
    notifications=None,
) -> bytes:
    """The same report as an A4 landscape PDF, in the layout of an official form; with
    `notifications`, an appendix of the messages sent and lookups answered."""
    from .message_reports import pdf_tables

    made_on = made_on or timezone.localdate()
    day = date_words(made_on)
    context = {
        "unit_name": unit_name.upper(),
        "nation": NATION,
        "motto": MOTTO,
        "title": REPORT_TITLE,
        "subtitle": _subtitle(title),
        "period_line": period_line(period),
        "header": _header_rows(REPORT_HEADER),
        "numbers": [f"({c})" for c in range(1, REPORT_COLUMNS + 1)],
        "rows": [
            {"no": no, "label": str(label), "values": [group_number(v) for v in report_values(f)]}
            for no, (label, f) in enumerate(rows, start=1)
        ],
        "total": [group_number(v) for v in report_values(total)],
        "date_line": f"{place}, {day}" if place else day[:1].upper() + day[1:],
        "notifications": pdf_tables(notifications) if notifications is not None else None,
    }
    return html_to_pdf(render_to_string("monitoring/report_pdf.html", context))


# -- the register and lists (write-only: they may hold 100 000 rows) -----------------------


def _ended_at(d) -> datetime | None:
    if d.state in ENDED_WITH_RESULT:
        return d.result_ready_at or d.finished_at
    if d.state in (State.REJECTED, State.WITHDRAWN):
        return d.finished_at
    return None


def _verdict(d, now: datetime) -> str | None:
    """Timeliness from the dossier's own fields (no query): the same rules as the figures."""
    if d.due_at is None:
        return None
    ended = _ended_at(d)
    if ended is not None:
        if d.supplement_requests > 1 or ended > d.due_at:
            return Timeliness.LATE
        tz = timezone.get_default_timezone()
        if timezone.localtime(ended, tz).date() < timezone.localtime(d.due_at, tz).date():
            return Timeliness.EARLY
        return Timeliness.ON_TIME
    if d.state in (State.RECEIVED, State.PROCESSING):
        return Timeliness.LATE if d.due_at < now else Timeliness.IN_TIME
    if d.state in PAUSED and d.supplement_requests > 1:
        return Timeliness.LATE
    return None


def _state_label(state: str) -> str:
    return str(State(state).label) if state in State.values else state


def register_note(d, now: datetime) -> str:
    """ "Đã trả kết quả (quá hạn)", "Đang xử lý (trong hạn)"; apologies noted."""
    note = _state_label(d.state)
    verdict = _verdict(d, now)
    if verdict is not None:
        note += f" ({str(Timeliness(verdict).label).lower()})"
    if d.apologies:
        note += "; " + _("đã xin lỗi, hẹn lại")
    return note


def _rows_of(dossiers, *, forwarded: bool = False):
    """Iterate dossiers; a queryset is streamed, with its relations joined."""
    if not isinstance(dossiers, QuerySet):
        yield from dossiers
        return
    qs = dossiers.select_related("procedure", "receiving_agency", "current_agency")
    if forwarded and "forwarded_at" not in qs.query.annotations and not qs.query.combinator:
        first = DossierEvent.objects.filter(dossier=OuterRef("pk"), action="forward")
        qs = qs.annotate(forwarded_at=Subquery(first.order_by("seq").values("at")[:1]))
    yield from qs.iterator(chunk_size=2000)


class _Writer:
    """Cells for a write-only sheet. Row cells take a named style: copying one is cheap,
    while setting a font or border on each of 100 000 rows hashes it every time."""

    CELL, DATETIME = "motcua cell", "motcua datetime"

    def __init__(self, wb, ws, st: _Styles):
        from openpyxl.styles import NamedStyle

        self.ws, self.st = ws, st
        wb.add_named_style(NamedStyle(self.CELL, border=st.border, alignment=st.top))
        wb.add_named_style(
            NamedStyle(
                self.DATETIME, border=st.border, alignment=st.top, number_format=DATETIME_FORMAT
            )
        )

    def cell(self, value=None, *, font=None, align=None, border=False, fill=False):
        cell = spreadsheets.cell(self.ws, value)
        if font is not None:
            cell.font = font
        if align is not None:
            cell.alignment = align
        if border:
            cell.border = self.st.border
        if fill:
            cell.fill = self.st.fill
        return cell

    def row(self, values, dates) -> list:
        out = []
        for c, value in enumerate(values):
            cell = spreadsheets.cell(self.ws, value)
            cell.style = self.DATETIME if c in dates else self.CELL
            out.append(cell)
        return out

    def header(self, first_row: int, spec, rows: int, columns: int) -> None:
        """Header rows with merged cells; covered cells are written too, for their borders."""
        texts = {(r, c): str(text) for r, c, _h, _w, text in spec}
        for r, c, height, width, _text in spec:
            if height > 1 or width > 1:
                self.ws.merged_cells.add(
                    _range(first_row + r, c + 1, first_row + r + height - 1, c + width)
                )
        for r in range(rows):
            self.ws.append(
                [
                    self.cell(
                        texts.get((r, c)),
                        font=self.st.bold,
                        align=self.st.center,
                        border=True,
                        fill=True,
                    )
                    for c in range(columns)
                ]
            )


def _range(r1: int, c1: int, r2: int, c2: int) -> str:
    from openpyxl.utils import get_column_letter

    return f"{get_column_letter(c1)}{r1}:{get_column_letter(c2)}{r2}"


def _write_only(widths, sheet_title: str):
    from openpyxl.utils import get_column_letter

    wb = spreadsheets.new_workbook(write_only=True)
    ws = wb.create_sheet(sheet_title)
    # Widths, views and page properties go before the rows in a streamed sheet.
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
    return wb, ws


def register_xlsx(*, unit_name: str, period: Period, dossiers) -> bytes:
    """Form 07 "Sổ theo dõi hồ sơ": one row per dossier, in the order given."""
    st = _Styles()
    columns = len(REGISTER_WIDTHS)
    wb, ws = _write_only(REGISTER_WIDTHS, _("Sổ theo dõi hồ sơ"))
    w = _Writer(wb, ws, st)
    top = 5
    numbers = top + REGISTER_HEADER_ROWS
    ws.freeze_panes = f"C{numbers + 1}"
    _print_setup(ws, f"{top}:{numbers}")
    for r, value, font, align, end in (
        (1, unit_name.upper(), st.bold, st.left, 5),
        (2, _("SỔ THEO DÕI HỒ SƠ"), st.title, st.center, columns),
        (3, _date_range(period), None, st.center, columns),
    ):
        ws.merged_cells.add(_range(r, 1, r, end))
        ws.append([w.cell(value, font=font, align=align)])
    ws.append([])
    w.header(top, REGISTER_HEADER, REGISTER_HEADER_ROWS, columns)
    ws.append(
        [
            w.cell(f"({c})", font=st.italic, align=st.center, border=True)
            for c in range(1, columns + 1)
        ]
    )
    now = timezone.now()
    for no, d in enumerate(_rows_of(dossiers, forwarded=True), start=1):
        returned = d.finished_at if d.state == State.RETURNED else None
        contact = ", ".join(filter(None, [d.applicant_address, d.applicant_phone]))
        values = (
            no,
            d.code or "",
            d.procedure.name,
            1,
            d.applicant_name,
            contact,
            d.current_agency.name,
            _local(d.received_at),
            _local(d.appointment_at or d.due_at),
            _local(getattr(d, "forwarded_at", None)),
            _local(d.result_ready_at),
            _local(returned),
            register_note(d, now),
        )
        ws.append(w.row(values, REGISTER_DATES))
    return spreadsheets.workbook_bytes(wb)


def dossier_list_xlsx(*, title: str, dossiers) -> bytes:
    """Any list of dossiers as a workbook: the title, a header row, one row per dossier."""
    st = _Styles()
    wb, ws = _write_only([width for _label, width in LIST_COLUMNS], _("Danh sách hồ sơ"))
    w = _Writer(wb, ws, st)
    ws.freeze_panes = "B3"
    _print_setup(ws, "2:2")
    ws.merged_cells.add(_range(1, 1, 1, len(LIST_COLUMNS)))
    ws.append([w.cell(title, font=st.title, align=st.left)])
    ws.append(
        [
            w.cell(str(label), font=st.bold, align=st.center, border=True, fill=True)
            for label, _width in LIST_COLUMNS
        ]
    )
    count = 0
    for d in _rows_of(dossiers):
        count += 1
        channel = str(Channel(d.channel).label) if d.channel in Channel.values else ""
        values = (
            d.display_code,
            d.procedure.name,
            d.applicant_name,
            d.receiving_agency.name,
            channel,
            _state_label(d.state),
            _local(d.received_at),
            _local(d.due_at),
            _local(d.result_ready_at or d.finished_at),
        )
        ws.append(w.row(values, LIST_DATES))
    ws.auto_filter.ref = _range(2, 1, 2 + count, len(LIST_COLUMNS))
    return spreadsheets.workbook_bytes(wb)
