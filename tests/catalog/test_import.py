"""Catalog import and export: all or nothing, errors that name the row, round trips."""

import copy
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from motcua.catalog.importing import CatalogImportError
from motcua.catalog.models import Fee, Procedure, ProcessDefinition
from motcua.catalog.selectors import catalog_export_data
from motcua.catalog.services import catalog_import
from motcua.catalog.spreadsheet import data_to_workbook, workbook_to_data
from motcua.org.models import Role, Tier
from tests.factories import AgencyFactory, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db
SMALL = Path(__file__).resolve().parent.parent / "fixtures" / "small_catalog.json"


@pytest.fixture
def small():
    return json.loads(SMALL.read_text(encoding="utf-8"))


def test_import_creates_procedures_fees_components_and_process(small):
    report = catalog_import(actor=None, data=small)
    assert report.created == 4 and report.new_process_versions == 2
    birth = Procedure.objects.get(national_code="1.001193")
    assert birth.field.name == "Hộ tịch"
    assert birth.cutoff.strftime("%H:%M") == "15:00"
    assert [c.name for c in birth.components.all()] == ["Tờ khai đăng ký khai sinh"]
    process = birth.current_process()
    assert [s.name for s in process.steps.all()] == ["Tiếp nhận", "Xử lý", "Ký"]
    copy_fee = Fee.objects.get(procedure__national_code="2.000815")
    assert copy_fee.compute(3) == 5000


def test_one_bad_row_saves_nothing_and_names_the_row(small):
    small["procedures"][2]["processing_time"] = {"value": "năm", "unit": "working_day"}
    with pytest.raises(CatalogImportError) as caught:
        catalog_import(actor=None, data=small)
    assert caught.value.errors == ["Thủ tục thứ 3 (2.000815): thời hạn phải là một số"]
    assert Procedure.objects.count() == 0
    assert ProcessDefinition.objects.count() == 0


def test_every_problem_is_listed_at_once(small):
    small["procedures"][0]["tiers"] = ["village"]
    small["procedures"][1]["steps"][1]["budget"] = "3"
    small["procedures"][3]["fees"][0]["formula"] = "magic"
    with pytest.raises(CatalogImportError) as caught:
        catalog_import(actor=None, data=small)
    errors = caught.value.errors
    assert len(errors) == 3
    assert errors[0].startswith("Thủ tục thứ 1 (1.001193):") and "cấp thực hiện" in errors[0]
    assert "tổng thời gian các bước (4 ngày) khác thời hạn giải quyết (5 ngày)" in errors[1]
    assert errors[2].startswith("Thủ tục thứ 4 (1.001022)") and "magic" in errors[2]


def test_a_failure_late_in_the_file_rolls_back_the_earlier_rows(small):
    small["procedures"][3]["agencies"] = ["000.99.99.X00"]
    with pytest.raises(CatalogImportError) as caught:
        catalog_import(actor=None, data=small)
    assert "Thủ tục thứ 4 (1.001022): không có cơ quan mã 000.99.99.X00" in caught.value.errors
    assert Procedure.objects.count() == 0


def test_wrong_format_is_refused(small):
    with pytest.raises(CatalogImportError, match="định dạng"):
        catalog_import(actor=None, data={"procedures": []})


def test_only_a_province_administrator_may_import(small):
    province = UnitFactory(tier=Tier.PROVINCE)
    district = UnitFactory(tier=Tier.DISTRICT, parent=province)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        catalog_import(actor=UserFactory(roles=[(Role.ADMINISTRATOR, district)]), data=small)
    admin = UserFactory(roles=[(Role.ADMINISTRATOR, province)])
    assert catalog_import(actor=admin, data=small).created == 4


def test_reimport_of_the_same_file_changes_nothing(small):
    catalog_import(actor=None, data=small)
    stamps = dict(Procedure.objects.values_list("national_code", "updated_at"))
    fee_ids = list(Fee.objects.values_list("id", flat=True))
    report = catalog_import(actor=None, data=small)
    assert (report.created, report.updated, report.new_process_versions) == (0, 0, 0)
    assert dict(Procedure.objects.values_list("national_code", "updated_at")) == stamps
    assert list(Fee.objects.values_list("id", flat=True)) == fee_ids


def test_changed_process_becomes_a_new_version_and_keeps_the_old(small):
    from datetime import date

    catalog_import(actor=None, data=small, valid_from=date(2025, 7, 1))
    changed = copy.deepcopy(small)
    changed["procedures"][1]["steps"][1]["budget"] = "3.5"
    changed["procedures"][1]["steps"][0]["budget"] = "1"
    catalog_import(actor=None, data=changed, valid_from=date(2026, 1, 1))
    marriage = Procedure.objects.get(national_code="1.000894")
    old = marriage.current_process(date(2025, 12, 31))
    new = marriage.current_process(date(2026, 1, 2))
    assert (old.version, new.version) == (1, 2)
    assert old.valid_to == date(2025, 12, 31)
    assert [s.budget for s in new.steps.all()] == [Decimal(1), Decimal("3.5"), Decimal("0.5")]


def test_export_reimports_to_the_same_catalog(small):
    agency = AgencyFactory()
    small["procedures"][0]["agencies"] = [agency.code]
    catalog_import(actor=None, data=small)
    exported = catalog_export_data()
    Procedure.objects.all().delete()
    catalog_import(actor=None, data=json.loads(json.dumps(exported)))
    assert catalog_export_data() == exported
    assert list(Procedure.objects.get(national_code="1.001193").agencies.all()) == [agency]


def test_excel_round_trip(small):
    catalog_import(actor=None, data=small)
    exported = catalog_export_data()
    workbook = data_to_workbook(exported)
    sheets = load_workbook(io.BytesIO(workbook)).sheetnames
    assert sheets == ["Lĩnh vực", "Thủ tục", "Thành phần", "Phí lệ phí", "Quy trình"]
    Procedure.objects.all().delete()
    catalog_import(actor=None, data=workbook_to_data(io.BytesIO(workbook)))
    assert catalog_export_data() == exported


def test_excel_bad_row_names_sheet_and_row(small):
    catalog_import(actor=None, data=small)
    book = load_workbook(io.BytesIO(data_to_workbook(catalog_export_data())))
    sheet = book["Phí lệ phí"]
    sheet.cell(row=3, column=5, value="hai nghìn")  # "amount" of the second fee row
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    Procedure.objects.all().delete()
    with pytest.raises(CatalogImportError) as caught:
        catalog_import(actor=None, data=workbook_to_data(out))
    assert len(caught.value.errors) == 1
    assert caught.value.errors[0].startswith("Trang “Phí lệ phí”, dòng 3:")
    assert "mức thu phải là số nguyên" in caught.value.errors[0]
    assert Procedure.objects.count() == 0


def test_damaged_excel_file_is_refused_cleanly():
    with pytest.raises(CatalogImportError, match="Không đọc được tệp Excel"):
        workbook_to_data(io.BytesIO(b"PK\x03\x04 not really a workbook"))
