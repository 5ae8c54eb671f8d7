"""Workbooks made from what people typed: every text is stored as text, never as a formula.

openpyxl turns a string that starts with "=" into a formula and one like "#N/A" into an error,
so a name typed as `=HYPERLINK("http://…"&A1,"Bấm")` would run in the officer's Excel. motcua
writes no formulas, so every workbook is made here: `new_workbook` guards each sheet's rows
and `workbook_bytes` saves it, and a test checks that no other module makes or saves one.
openpyxl is imported only when a workbook is made, as everywhere else.
"""

import functools
import io
import re

# Characters XML 1.0 cannot hold (the C0 controls but tab and line breaks): openpyxl refuses
# them, and an address pasted with one would otherwise break the whole export.
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Types openpyxl infers from a string's look; a text we write must stay plain text.
_INFERRED = ("f", "e")


def clean(value):
    """`value` as it can be stored: a text without the characters a workbook cannot hold."""
    if isinstance(value, str):
        return _ILLEGAL.sub("", value)
    return value


def as_text(cell, value=None):
    """Put `value` (if given) into `cell`; a text stays a text cell, numbers and dates as they
    are. Returns the cell."""
    if value is not None:
        cell.value = clean(value)
    if isinstance(cell.value, str) and cell.data_type in _INFERRED:
        cell.data_type = "s"
    return cell


@functools.cache
def _cell_class():
    from openpyxl.cell import WriteOnlyCell

    return WriteOnlyCell


def cell(ws, value=None):
    """A cell for `ws.append`, in a streamed sheet or an ordinary one."""
    return as_text(_cell_class()(ws), value)


def write(ws, row: int, column: int, value):
    """`ws.cell(row, column, value)` with the value kept as text. Returns the cell."""
    return as_text(ws.cell(row=row, column=column), value)


def _guard(ws):
    """Route the sheet's rows through `cell`: plain values and ready-made cells alike."""
    plain = ws.append

    def append(values):
        plain(
            [
                as_text(v)
                if hasattr(v, "data_type")
                else (cell(ws, v) if isinstance(v, str) else v)
                for v in values
            ]
        )

    ws.append = append
    return ws


def new_workbook(*, write_only: bool = False):
    """A workbook whose sheets (the first one and every one created) keep texts as text."""
    from openpyxl import Workbook

    class _Guarded(Workbook):
        def create_sheet(self, title=None, index=None):
            return _guard(super().create_sheet(title, index))

    book = _Guarded(write_only=write_only)
    if not write_only:
        _guard(book.active)
    return book


def workbook_bytes(book) -> bytes:
    """The saved workbook. Cells set one by one (`ws["A1"] = …`) bypass `append`, so an
    ordinary workbook is swept once more here; a streamed one has only appended rows."""
    if not book.write_only:
        for ws in book.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if c.data_type in _INFERRED:
                        as_text(c)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
