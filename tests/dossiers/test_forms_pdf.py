"""The official forms rendered to PDF: titles, Vietnamese text, codes and QR codes read back."""

import io
import unicodedata
from datetime import datetime, timedelta

import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from motcua.catalog.models import Procedure
from motcua.dossiers import forms_pdf, services
from motcua.dossiers.forms_data import FORM_SETS, resolve
from motcua.dossiers.selectors import lookup_url
from motcua.org.models import User

pytestmark = pytest.mark.django_db

APPLICANT = {
    "name": "Nguyễn Thị Hằng",
    "phone": "0912345678",
    "id_number": "079123456789",
    "address": "12 đường Hùng Vương, Phường 1",
}
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
# A Tuesday morning, inside working hours.
NOW = timezone.make_aware(datetime(2026, 3, 10, 9, 15))


def nfc(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def pdf_text(data: bytes, page: int = 0) -> str:
    return nfc(PdfReader(io.BytesIO(data)).pages[page].extract_text())


def all_text(data: bytes) -> str:
    return nfc(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages))


def qr_codes(data: bytes) -> list[str]:
    image = pdfium.PdfDocument(data)[0].render(scale=3).to_pil()
    return [code.text for code in zxingcpp.read_barcodes(image)]


def assert_form(data: bytes, dossier, title: str, *words: str) -> str:
    assert data.startswith(b"%PDF")
    text = all_text(data)
    for expected in (dossier.display_code, nfc(title.upper()), NATION, *words):
        assert nfc(expected) in text, expected
    assert "Độc lập - Tự do - Hạnh phúc" in pdf_text(data)
    assert lookup_url(dossier) in qr_codes(data)
    return text


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def staff(demo_province):
    return {
        name: User.objects.get(username=name) for name in ("tiepnhan.p1", "tuphap.p1", "lanhdao.p1")
    }


@pytest.fixture
def agency(staff):
    return staff["tiepnhan.p1"].agency


@pytest.fixture
def procedure(agency):
    # Civil-status certificate: a fee, five components, every step at the commune.
    return (
        Procedure.objects.filter(agencies=agency, national_code="1.004873").first()
        or Procedure.objects.filter(agencies=agency).first()
    )


@pytest.fixture
def received(staff, agency, procedure):
    component = procedure.components.first()
    upload = SimpleUploadedFile("to-khai.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    return services.dossier_receive_at_counter(
        actor=staff["tiepnhan.p1"],
        procedure=procedure,
        agency=agency,
        applicant=APPLICANT,
        files=[(component.pk, upload)],
        now=NOW,
    ).dossier


@pytest.fixture
def processing(staff, received):
    return services.dossier_forward(
        actor=staff["tiepnhan.p1"],
        dossier=received,
        note="Chuyển công chức Tư pháp",
        now=NOW + timedelta(hours=1),
    ).dossier


@pytest.fixture
def submitted(agency, procedure):
    citizen = User.objects.create_user(username="congdan.hang", password="mat-khau-thu-123")
    draft = services.dossier_create_draft(
        owner=citizen, procedure=procedure, agency=agency, applicant=APPLICANT, now=NOW
    )
    return services.dossier_submit(actor=citizen, dossier=draft, now=NOW).dossier


def test_form_sets_are_data():
    decree = FORM_SETS["decree118"]
    circular = FORM_SETS["circular01"]
    assert [n for n, _t in decree.values()] == ["01", "02", "03", "04", "05", "06", "07"]
    assert [n for n, _t in circular.values()] == ["01", "02", "03", "04", "05", "06"]
    assert "suspension" not in circular
    assert str(circular["apology"][1]) == "Phiếu xin lỗi và hẹn lại ngày trả kết quả"
    assert resolve("05").key == "suspension"
    assert resolve("receipt").number == "01"


def test_receipt(received, procedure):
    data = forms_pdf.render_form("01", received)
    text = assert_form(
        data,
        received,
        "Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        "Nguyễn Thị Hằng",
        "079123456789",
        "12 đường Hùng Vương, Phường 1",
        procedure.national_code,
        "Thời gian nhận hồ sơ: 09 giờ 15 phút, ngày 10/03/2026",
        "Thời gian trả kết quả giải quyết hồ sơ:",
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "Châu Thị Uyên",
        "to-khai.pdf",
        "Quét mã để tra cứu hồ sơ",
        "Tân An, ngày 10 tháng 3 năm 2026",
    )
    assert procedure.components.first().name[:20] in text
    if received.fee_due:
        assert f"{received.fee_due:,}".replace(",", ".") + " đ" in text
    assert forms_pdf.render_form("receipt", received).startswith(b"%PDF")


def test_completion_request_during_processing(staff, processing):
    dossier = services.dossier_request_supplement(
        actor=staff["tuphap.p1"],
        dossier=processing,
        missing_items=["Bản sao Giấy khai sinh", "Tờ khai có chữ ký của người yêu cầu"],
        note="Tờ khai thiếu chữ ký",
        now=NOW + timedelta(hours=2),
    ).dossier
    text = assert_form(
        forms_pdf.render_form("02", dossier),
        dossier,
        "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
        "1. Bản sao Giấy khai sinh",
        "2. Tờ khai có chữ ký của người yêu cầu",
        "Tờ khai thiếu chữ ký",
        "Cơ quan thông báo một lần, đầy đủ tất cả các nội dung cần bổ sung",
        "Tạ Văn Vinh",
    )
    assert "Nguyễn Thị Hằng" in text


def test_completion_request_and_refusal_at_reception(staff, submitted, agency, procedure):
    officer = staff["tiepnhan.p1"]
    dossier = services.dossier_request_completion(
        actor=officer, dossier=submitted, missing_items="Tờ khai\nẢnh chân dung", now=NOW
    ).dossier
    assert dossier.code is None
    assert_form(
        forms_pdf.render_form("completion_request", dossier),
        dossier,
        "Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
        "1. Tờ khai",
        "2. Ảnh chân dung",
    )
    citizen = dossier.owner
    dossier = services.dossier_submit(actor=citizen, dossier=dossier, now=NOW).dossier
    dossier = services.dossier_refuse_reception(
        actor=officer,
        dossier=dossier,
        reasons="Không thuộc thẩm quyền của Ủy ban nhân dân phường",
        now=NOW + timedelta(minutes=30),
    ).dossier
    assert_form(
        forms_pdf.render_form("03", dossier),
        dossier,
        "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
        "Không thuộc thẩm quyền của Ủy ban nhân dân phường",
        "Nguyễn Thị Hằng",
    )
    assert [key for _n, _t, key in forms_pdf.available_forms(dossier)] == [
        "completion_request",
        "refusal",
    ]


def test_refusal_after_reception_uses_the_rejection(staff, processing):
    dossier = services.dossier_reject(
        actor=staff["lanhdao.p1"],
        dossier=processing,
        reasons="Không đủ điều kiện cấp giấy",
        now=NOW + timedelta(days=1),
    ).dossier
    assert_form(
        forms_pdf.render_form("03", dossier),
        dossier,
        "Phiếu từ chối tiếp nhận giải quyết hồ sơ",
        "Không đủ điều kiện cấp giấy",
        "Quách Thị Xuân",
    )


def test_apology(staff, processing):
    new = processing.due_at + timedelta(days=5)
    dossier = services.dossier_apologize(
        actor=staff["lanhdao.p1"],
        dossier=processing,
        new_appointment=new,
        reasons="Cần thêm thời gian xác minh",
        now=NOW + timedelta(days=1),
    ).dossier
    local = timezone.localtime(new)
    old = timezone.localtime(processing.due_at)
    assert_form(
        forms_pdf.render_form("04", dossier),
        dossier,
        "Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
        "Cần thêm thời gian xác minh",
        f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}",
        f"{old:%H} giờ {old:%M} phút, ngày {old:%d/%m/%Y}",
        "thành thật xin lỗi",
    )


def test_suspension(staff, processing):
    dossier = services.dossier_suspend(
        actor=staff["lanhdao.p1"],
        dossier=processing,
        reasons="Chờ kết quả xác minh tình trạng hôn nhân",
        now=NOW + timedelta(hours=3),
    ).dossier
    assert_form(
        forms_pdf.render_form("05", dossier),
        dossier,
        "Thông báo dừng giải quyết hồ sơ",
        "Chờ kết quả xác minh tình trạng hôn nhân",
        "Quách Thị Xuân",
    )


def test_control_sheet(staff, processing):
    dossier = services.dossier_request_supplement(
        actor=staff["tuphap.p1"],
        dossier=processing,
        missing_items=["Bản sao Giấy khai sinh"],
        now=NOW + timedelta(hours=2),
    ).dossier
    dossier = services.dossier_receive_supplement(
        actor=staff["tuphap.p1"], dossier=dossier, now=NOW + timedelta(days=1)
    ).dossier
    text = assert_form(
        forms_pdf.render_form("06", dossier),
        dossier,
        "Phiếu kiểm soát quá trình giải quyết hồ sơ",
        "Tiếp nhận hồ sơ",
        "Chuyển bước tiếp theo",
        "Yêu cầu bổ sung hồ sơ",
        "Nhận hồ sơ bổ sung",
        "Chuyển công chức Tư pháp",
        "Châu Thị Uyên",
        "Tạ Văn Vinh",
        "Kết quả thực hiện từng bước",
        "Hạn giải quyết:",
    )
    assert "Đúng hạn" in text or "Trước hạn" in text or "Quá hạn" in text


def test_due_explanation(received):
    data = forms_pdf.render_due_explanation(received)
    text = assert_form(
        data, received, "Giải trình thời hạn giải quyết", "Tiếp nhận lúc 09:15 10/03/2026"
    )
    assert "Bắt đầu tính thời gian từ" in text
    assert len(PdfReader(io.BytesIO(data)).pages) == 1


def test_register_pdf_and_workbook(staff, agency, procedure, received):
    second = services.dossier_receive_at_counter(
        actor=staff["tiepnhan.p1"],
        procedure=procedure,
        agency=agency,
        applicant={"name": "Trần Văn Đức", "phone": "0987654321"},
        now=NOW + timedelta(days=1),
    ).dossier
    outside = services.dossier_receive_at_counter(
        actor=staff["tiepnhan.p1"],
        procedure=procedure,
        agency=agency,
        applicant={"name": "Lê Thị Ngoạn"},
        now=NOW + timedelta(days=30),
    ).dossier
    start, end = NOW.date(), NOW.date() + timedelta(days=2)

    data = forms_pdf.render_register(agency, start, end)
    assert data.startswith(b"%PDF")
    page = PdfReader(io.BytesIO(data)).pages[0]
    assert page.mediabox.width > page.mediabox.height  # landscape
    text = all_text(data)
    for expected in (
        "SỔ THEO DÕI HỒ SƠ",
        NATION,
        received.code,
        second.code,
        "Trần Văn Đức",
        "Nguyễn Thị Hằng",
        "Từ ngày 10/03/2026 đến ngày 12/03/2026",
    ):
        assert nfc(expected) in text, expected
    assert outside.code not in text

    ws = load_workbook(io.BytesIO(forms_pdf.register_workbook(agency, start, end))).active
    header = [c.value for c in ws[1]]
    assert header[:3] == ["STT", "Mã hồ sơ", "Tên thủ tục hành chính"]
    assert all(c.font.bold for c in ws[1])
    codes = [row[1] for row in ws.iter_rows(min_row=2, values_only=True)]
    assert codes == [received.code, second.code]
    received_col = header.index("Ngày nhận hồ sơ")
    first_received = ws.cell(row=2, column=received_col + 1).value
    assert isinstance(first_received, datetime)
    assert first_received == timezone.localtime(received.received_at).replace(tzinfo=None)


def test_circular01_changes_numbers_and_titles(settings, staff, processing):
    settings.MOTCUA = {**settings.MOTCUA, "FORM_SET": "circular01"}
    assert_form(
        forms_pdf.render_form("05", processing),
        processing,
        "Phiếu kiểm soát quá trình giải quyết hồ sơ",
        "Mẫu số 05 theo Thông tư số 01/2018/TT-VPCP",
    )
    dossier = services.dossier_apologize(
        actor=staff["lanhdao.p1"],
        dossier=processing,
        new_appointment=processing.due_at + timedelta(days=3),
        reasons="Chờ xác minh",
        now=NOW + timedelta(hours=2),
    ).dossier
    assert_form(
        forms_pdf.render_form("apology", dossier),
        dossier,
        "Phiếu xin lỗi và hẹn lại ngày trả kết quả",
        "Mẫu số 04",
    )
    with pytest.raises(LookupError):
        forms_pdf.render_form("suspension", dossier)
    numbers = [(n, key) for n, _t, key in forms_pdf.available_forms(dossier)]
    assert numbers == [("01", "receipt"), ("04", "apology"), ("05", "control_sheet")]


def test_missing_event_raises(received):
    for form in ("02", "03", "04", "05"):
        with pytest.raises(LookupError, match="Hồ sơ chưa có"):
            forms_pdf.render_form(form, received)
    with pytest.raises(LookupError):
        forms_pdf.render_form("07", received)


def test_available_forms_of_a_new_dossier(received):
    assert forms_pdf.available_forms(received) == [
        ("01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", "receipt"),
        ("06", "Phiếu kiểm soát quá trình giải quyết hồ sơ", "control_sheet"),
    ]


def test_forms_never_fetch_from_the_network():
    fetcher = forms_pdf.no_network_fetcher()
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher.fetch("http://example.com/logo.png")
    with pytest.raises(ValueError, match="disallowed protocol"):
        fetcher.fetch("https://example.com/style.css")
    # A stray remote image is skipped, and the form still renders.
    assert forms_pdf.html_to_pdf('<img src="https://example.com/x.png"><p>Hằng</p>').startswith(
        b"%PDF"
    )
