"""The catalog as an Excel workbook: one sheet per kind of row, linked by procedure code."""

import json
from typing import BinaryIO

from django.utils.translation import gettext as _

from motcua.core import spreadsheets

from .importing import FORMAT, SHEETS, CatalogImportError


def workbook_to_data(stream: BinaryIO) -> dict:
    """Read a workbook into the JSON structure, each row remembering its sheet and number."""
    from openpyxl import load_workbook  # here, not at import: only the admin's import needs it

    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:
        # openpyxl raises many kinds of errors on a damaged or foreign file.
        raise CatalogImportError([_("Không đọc được tệp Excel: %(e)s") % {"e": exc}]) from None
    rows: dict[str, list[dict]] = {}
    for key, (title, columns) in SHEETS.items():
        rows[key] = []
        if title not in book.sheetnames:
            continue
        sheet = book[title]
        header = None
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if header is None:
                header = [str(v).strip() if v is not None else "" for v in values]
                unknown = [h for h in header if h and h not in columns]
                if unknown:
                    raise CatalogImportError(
                        [
                            _("Trang “%(s)s”: cột không hợp lệ: %(c)s")
                            % {"s": title, "c": ", ".join(unknown)}
                        ]
                    )
                continue
            if all(v in (None, "") for v in values):
                continue
            item = {h: v for h, v in zip(header, values, strict=False) if h}
            item["_where"] = _("Trang “%(s)s”, dòng %(n)s") % {"s": title, "n": number}
            rows[key].append(item)
    book.close()

    by_code: dict[str, dict] = {}
    for proc in rows["procedures"]:
        proc["tiers"] = proc.get("tiers") or ""
        proc.setdefault("fees", [])
        proc.setdefault("components", [])
        by_code[str(proc.get("national_code") or "").strip()] = proc
    errors: list[str] = []
    for key in ("components", "fees", "steps"):
        for item in rows[key]:
            code = str(item.get("procedure") or "").strip()
            if code not in by_code:
                errors.append(
                    f"{item['_where']}: "
                    + _("mã thủ tục “%(c)s” không có ở trang Thủ tục") % {"c": code}
                )
                continue
            by_code[code].setdefault(key, []).append(item)
    if errors:
        raise CatalogImportError(errors)
    return {"format": FORMAT, "fields": rows["fields"], "procedures": rows["procedures"]}


def data_to_workbook(data: dict) -> bytes:
    """The catalog as a workbook. Every text is written as text (`core.spreadsheets`), so what
    an administrator typed comes back unchanged on import, even when it starts with "="."""
    from openpyxl.styles import Font

    book = spreadsheets.new_workbook()
    book.remove(book.active)
    flat: dict[str, list[dict]] = {"fields": data["fields"], "procedures": []}
    for key in ("components", "fees", "steps"):
        flat[key] = []
    for proc in data["procedures"]:
        row = dict(proc)
        row["tiers"] = ", ".join(proc["tiers"])
        row["agencies"] = ", ".join(proc.get("agencies", []))
        timing = proc["processing_time"]
        row["processing_time"], row["processing_unit"] = timing["value"], timing["unit"]
        row["cutoff"] = timing.get("cutoff") or ""
        flat["procedures"].append(row)
        for key in ("components", "fees", "steps"):
            for item in proc.get(key) or []:
                item = dict(item, procedure=proc["national_code"])
                if key == "fees" and item.get("tiers"):
                    item["tiers"] = json.dumps(item["tiers"], ensure_ascii=False)
                flat[key].append(item)
    for key, (title, columns) in SHEETS.items():
        sheet = book.create_sheet(title)
        sheet.append(columns)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for item in flat[key]:
            sheet.append([_cell(item.get(c)) for c in columns])
        sheet.freeze_panes = "A2"
    return spreadsheets.workbook_bytes(book)


def _cell(value):
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "x" if value else ""
    return value
