"""The handling report (workbook and PDF), the register and dossier lists hold the figures
and dossiers they were made from."""

import subprocess
from datetime import date, datetime, timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from motcua.demo.generator.run import generate
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.monitoring import drilldown, figures, reports, tally
from motcua.monitoring.figures import Scope
from motcua.monitoring.periods import Period
from motcua.org.models import Agency

pytestmark = pytest.mark.django_db

# The numeric columns of the report, C to N, as the figures name them ("+" adds two).
COLUMNS = (
    "received+carried",
    "received_online",
    "received_counter",
    "received_post",
    "carried",
    "finished",
    "early",
    "on_time",
    "late",
    "in_progress",
    "in_time",
    "overdue",
)
TITLE = "Báo cáo theo đơn vị tiếp nhận"


def expected(fig) -> list[int]:
    return [sum(fig.count(name) for name in column.split("+")) for column in COLUMNS]


@pytest.fixture
def history(demo_province) -> Period:
    """A year of dossiers loaded in bulk and counted; the year of the latest reception."""
    generate(
        dossiers=36,
        years=1,
        seed=11,
        path="bulk",
        communes_per_district=1,
        citizens=10,
        progress=False,
    )
    tally.rebuild()
    latest = Dossier.objects.exclude(received_at=None).order_by("-received_at").first()
    return Period.year(timezone.localtime(latest.received_at).year)


def open_span(period: Period) -> Period:
    """Days inside the longest handling in `period`: that dossier is carried into them and
    still in progress at their end, so those columns are not all zero."""
    ended = Dossier.objects.filter(
        received_at__date__gte=period.start, finished_at__isnull=False
    ).exclude(state__in=["draft", "submitted", "not_received"])
    longest = max(ended, key=lambda d: (d.result_ready_at or d.finished_at) - d.received_at)
    start = timezone.localtime(longest.received_at).date() + timedelta(days=1)
    end = timezone.localtime(longest.result_ready_at or longest.finished_at).date()
    return Period("custom", start, end - timedelta(days=1))


def report_input(period: Period) -> dict:
    by_agency = figures.figures(Scope(), period, by="agency")
    names = dict(Agency.objects.filter(pk__in=by_agency).values_list("pk", "name"))
    rows = sorted(((names[pk], fig) for pk, fig in by_agency.items()), key=lambda r: r[0])
    return {
        "title": TITLE,
        "unit_name": "Ủy ban nhân dân tỉnh Thử Nghiệm",
        "period": period,
        "rows": rows,
        "total": figures.total(Scope(), period),
    }


def find_row(ws, column: int, value) -> int:
    for row in ws.iter_rows(min_col=column, max_col=column):
        if row[0].value == value:
            return row[0].row
    raise AssertionError(f"{value!r} not in column {column}")


def pdf_text(data: bytes, path) -> str:
    path.write_bytes(data)
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return done.stdout


@pytest.mark.parametrize("span", ["year", "open"])
def test_report_workbook_holds_the_figures(history, span):
    period = history if span == "year" else open_span(history)
    data = report_input(period)
    counts = expected(data["total"])
    assert counts[0] > 0
    if span == "open":
        assert data["total"].count("carried") > 0 and data["total"].count("in_progress") > 0
    ws = load_workbook(BytesIO(reports.handling_report_xlsx(**data))).active

    top = find_row(ws, 1, "STT")
    first = top + 4  # three header rows and the row of column numbers
    assert ws.cell(top, 3).value == "Số hồ sơ nhận giải quyết"
    assert ws.cell(top + 1, 4).value == "Trong kỳ"
    assert [ws.cell(top + 2, c).value for c in (4, 5, 6)] == [
        "Trực tuyến",
        "Trực tiếp",
        "Qua bưu chính",
    ]
    assert ws.cell(top + 3, 14).value == "(14)"
    merged = {str(r) for r in ws.merged_cells.ranges}
    for cells in (f"A{top}:A{top + 2}", f"C{top}:G{top}", f"H{top}:K{top}", f"L{top}:N{top}"):
        assert cells in merged
    assert f"D{top + 1}:F{top + 1}" in merged

    for i, (label, fig) in enumerate(data["rows"]):
        r = first + i
        assert ws.cell(r, 1).value == i + 1
        assert ws.cell(r, 2).value == label
        values = [ws.cell(r, c).value for c in range(3, 15)]
        assert values == expected(fig)
        assert all(type(v) is int for v in values)
    total = first + len(data["rows"])
    assert ws.cell(total, 1).value == "Tổng cộng"
    assert ws.cell(total, 1).font.b
    assert [ws.cell(total, c).value for c in range(3, 15)] == expected(data["total"])
    assert ws.cell(total + 1, 3).value is None

    # The heading, and the sheet prints on A4 landscape, one page wide.
    texts = [ws.cell(r, 1).value for r in range(1, top)]
    assert "ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM" in texts
    assert reports.REPORT_TITLE in texts
    assert TITLE in texts
    assert any(t and period.label in t for t in texts)
    assert ws.freeze_panes == f"A{first}"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.page_setup.fitToWidth == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.column_dimensions["B"].width > ws.column_dimensions["C"].width > 0


def test_report_pdf_shows_the_title_and_the_totals(history, tmp_path):
    data = report_input(history)
    pdf = reports.handling_report_pdf(**data, made_on=date(2026, 3, 5), place="Tân An")
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, tmp_path / "report.pdf")
    flat = " ".join(text.split())
    assert "BÁO CÁO TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH" in flat
    assert TITLE in flat
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat
    assert "Tân An, ngày 05 tháng 3 năm 2026" in flat
    assert "NGƯỜI LẬP BIỂU" in flat and "THỦ TRƯỞNG ĐƠN VỊ" in flat
    total_line = next(line for line in text.splitlines() if "Tổng cộng" in line)
    numbers = total_line.split("Tổng cộng", 1)[1].split()
    assert numbers == [reports.group_number(v) for v in expected(data["total"])]


def test_numbers_are_grouped_with_dots():
    assert reports.group_number(7) == "7"
    assert reports.group_number(12345) == "12.345"
    assert reports.group_number(1234567) == "1.234.567"


def test_an_empty_report_still_has_its_total_row(history):
    period = Period.year(history.start.year + 2)
    data = {**report_input(period), "rows": []}
    ws = load_workbook(BytesIO(reports.handling_report_xlsx(**data))).active
    total = find_row(ws, 1, "Tổng cộng")
    assert total == find_row(ws, 1, "STT") + 4
    assert reports.handling_report_pdf(**data).startswith(b"%PDF")


def local(value):
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def test_register_has_one_row_per_dossier(history):
    qs = drilldown.dossiers(Scope(), history, "received").select_related(
        "procedure", "receiving_agency", "current_agency"
    )
    dossiers = list(qs)
    assert dossiers
    data = reports.register_xlsx(unit_name="Sở Tư pháp", period=history, dossiers=qs)
    ws = load_workbook(BytesIO(data)).active
    assert ws.title == "Sổ theo dõi hồ sơ"
    assert ws["A2"].value == "SỔ THEO DÕI HỒ SƠ"
    assert (
        ws["A3"].value == f"Từ ngày 01/01/{history.start.year} đến ngày 31/12/{history.start.year}"
    )

    top = find_row(ws, 1, "STT")
    first = top + 3  # two header rows and the row of column numbers
    assert ws.cell(top, 8).value == "Ngày, tháng, năm"
    assert f"H{top}:L{top}" in {str(r) for r in ws.merged_cells.ranges}
    assert ws.max_row == first + len(dossiers) - 1
    assert [ws.cell(first + i, 2).value for i in range(len(dossiers))] == [d.code for d in dossiers]
    forwards = {}
    for event in DossierEvent.objects.filter(action="forward").order_by("-seq"):
        forwards[event.dossier_id] = event.at
    for i, d in enumerate(dossiers):
        row = [c.value for c in ws[first + i]]
        assert row[0] == i + 1
        assert row[2] == d.procedure.name
        assert row[6] == d.current_agency.name
        assert isinstance(row[7], datetime)
        assert row[7] == local(d.received_at)
        assert row[8] == local(d.appointment_at or d.due_at)
        assert row[9] == local(forwards.get(d.pk))
        assert row[10] == local(d.result_ready_at)
        assert row[11] == (local(d.finished_at) if d.state == "returned" else None)
        assert row[12].startswith(str(d.get_state_display()))
    assert ws.cell(first, 8).number_format == "dd/mm/yyyy hh:mm"
    assert any(c.value for c in ws["J"][first - 1 :]), "no forwarded dossier in the sample"


def test_register_accepts_a_plain_list(history):
    dossiers = list(drilldown.dossiers(Scope(), history, "received")[:3])
    data = reports.register_xlsx(unit_name="UBND xã", period=history, dossiers=dossiers)
    ws = load_workbook(BytesIO(data)).active
    first = find_row(ws, 1, "STT") + 3
    assert [ws.cell(first + i, 2).value for i in range(3)] == [d.code for d in dossiers]


def test_register_note_judges_timeliness():
    due = timezone.make_aware(datetime(2026, 3, 10, 17, 0))
    now = timezone.make_aware(datetime(2026, 3, 12, 9, 0))
    kwargs = {"due_at": due, "supplement_requests": 0, "apologies": 0, "finished_at": None}
    late = Dossier(state="returned", result_ready_at=due.replace(day=11), **kwargs)
    assert reports.register_note(late, now) == "Đã trả kết quả (quá hạn)"
    early = Dossier(state="result_ready", result_ready_at=due.replace(day=9), **kwargs)
    assert reports.register_note(early, now) == "Chờ trả kết quả (trước hạn)"
    open_late = Dossier(state="processing", **{**kwargs, "apologies": 1})
    assert reports.register_note(open_late, now) == "Đang xử lý (quá hạn); đã xin lỗi, hẹn lại"
    assert reports.register_note(Dossier(state="draft"), now) == "Nháp"


def test_dossier_list_has_a_title_a_header_and_the_dossiers(history):
    qs = drilldown.dossiers(Scope(), history, "finished")
    count = qs.count()
    assert count
    data = reports.dossier_list_xlsx(title="Hồ sơ đã giải quyết — Năm", dossiers=qs)
    ws = load_workbook(BytesIO(data)).active
    assert ws["A1"].value == "Hồ sơ đã giải quyết — Năm"
    assert ws["A2"].value == "Mã hồ sơ"
    assert ws.max_row == 2 + count
    codes = [ws.cell(r, 1).value for r in range(3, 3 + count)]
    assert codes == [d.display_code for d in qs]
    assert all(isinstance(ws.cell(r, 7).value, datetime) for r in range(3, 3 + count))
    assert all(isinstance(ws.cell(r, 9).value, datetime) for r in range(3, 3 + count))
