"""Reading and checking a catalog file (JSON "motcua-catalog/1" or Excel) before any write.

Both formats become the same list of plain dicts, each carrying `_where`: the place in the file
(item number in JSON, sheet and row in Excel) that an error message names.
"""

from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from motcua.org.models import Role, Tier

from .fees import validate_tiers
from .models import Fee, OnlineLevel, ProcessStep, TimeUnit

FORMAT = "motcua-catalog/1"

# Excel layout: one sheet per kind of row, the procedure code linking them.
SHEETS = {
    "fields": ("Lĩnh vực", ["code", "name", "name_en"]),
    "procedures": (
        "Thủ tục",
        [
            "national_code",
            "name",
            "name_en",
            "field",
            "tiers",
            "handling_agency",
            "department",
            "agencies",
            "processing_time",
            "processing_unit",
            "cutoff",
            "online_level",
            "applicant_types",
            "description",
            "conditions",
            "result",
            "legal_basis",
            "signed_result_required",
        ],
    ),
    "components": (
        "Thành phần",
        ["procedure", "name", "originals", "copies", "required", "form", "note"],
    ),
    "fees": (
        "Phí lệ phí",
        ["procedure", "name", "kind", "formula", "amount", "unit_label", "tiers", "cap", "note"],
    ),
    "steps": (
        "Quy trình",
        ["procedure", "name", "role", "division", "handover", "budget"],
    ),
}


class CatalogImportError(Exception):
    """The file has problems; `errors` lists each with its place. Nothing was saved."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class CleanProcedure:
    code: str
    where: str
    values: dict[str, Any]
    field_code: str
    agency_codes: list[str]
    department: str | None
    fees: list[dict] = field(default_factory=list)
    components: list[dict] = field(default_factory=list)
    steps: list[dict] | None = None


@dataclass
class CleanCatalog:
    fields: list[dict]
    procedures: list[CleanProcedure]


class _Errors(list):
    def at(self, where: str, message: str) -> None:
        self.append(f"{where}: {message}")


def _text(value, limit: int | None = None) -> str:
    text = "" if value is None else str(value).strip()
    if limit and len(text) > limit:
        raise ValueError(_("dài quá %(n)s ký tự") % {"n": limit})
    return text


def _decimal(value, name: str) -> Decimal:
    try:
        result = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, AttributeError):
        raise ValueError(_("%(f)s phải là một số") % {"f": name}) from None
    if not result.is_finite() or result < 0:
        raise ValueError(_("%(f)s phải là số không âm") % {"f": name})
    return result


def _int(value, name: str, minimum: int = 0) -> int:
    try:
        if isinstance(value, float) and not value.is_integer():
            raise ValueError
        result = int(str(value).strip().split(".")[0]) if isinstance(value, str) else int(value)
    except (TypeError, ValueError):
        raise ValueError(_("%(f)s phải là số nguyên") % {"f": name}) from None
    if result < minimum:
        raise ValueError(_("%(f)s phải lớn hơn hoặc bằng %(m)s") % {"f": name, "m": minimum})
    return result


def _bool(value) -> bool:
    if isinstance(value, bool):
        return value
    return _text(value).lower() in {"1", "true", "x", "có", "co", "yes"}


def _choice(value, choices, name: str) -> str:
    value = _text(value)
    if value not in choices:
        raise ValueError(
            _("%(f)s “%(v)s” không hợp lệ (chọn một trong: %(c)s)")
            % {"f": name, "v": value, "c": ", ".join(c for c in choices if c)}
        )
    return value


def _list(value) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list | tuple):
        return [_text(v) for v in value if _text(v)]
    return [part.strip() for part in str(value).replace(";", ",").split(",") if part.strip()]


def _cutoff(value) -> time | None:
    if value in (None, ""):
        return None
    if isinstance(value, time):
        return value
    try:
        hour, minute = str(value).strip().split(":")[:2]
        return time(int(hour), int(minute))
    except ValueError:
        raise ValueError(_("giờ tiếp nhận cuối phải có dạng HH:MM")) from None


def _clean_fee(raw: dict) -> dict:
    formula = _choice(raw.get("formula") or "fixed", Fee.Formula.values, _("cách tính"))
    fee = {
        "name": _text(raw.get("name"), 300) or _("Lệ phí"),
        "kind": _choice(raw.get("kind") or "charge", Fee.Kind.values, _("loại phí")),
        "formula": formula,
        "amount": _int(raw.get("amount") or 0, _("mức thu")),
        "unit_label": _text(raw.get("unit_label"), 40),
        "tiers": [],
        "cap": None if raw.get("cap") in (None, "") else _int(raw["cap"], _("mức tối đa")),
        "note": _text(raw.get("note"), 500),
    }
    if formula == "tiered":
        tiers = raw.get("tiers")
        if isinstance(tiers, str):
            import json

            try:
                tiers = json.loads(tiers)
            except json.JSONDecodeError:
                raise ValueError(_("bậc phí phải là JSON hợp lệ")) from None
        fee["tiers"] = validate_tiers(tiers)
    return fee


def _clean_component(raw: dict) -> dict:
    name = _text(raw.get("name"), 500)
    if not name:
        raise ValueError(_("thiếu tên giấy tờ"))
    return {
        "name": name,
        "originals": _int(raw.get("originals", 1) or 0, _("số bản chính")),
        "copies": _int(raw.get("copies", 0) or 0, _("số bản sao")),
        "required": _bool(raw.get("required", True)),
        "form_name": _text(raw.get("form"), 300),
        "note": _text(raw.get("note"), 500),
    }


def _clean_step(raw: dict) -> dict:
    name = _text(raw.get("name"), 300)
    if not name:
        raise ValueError(_("thiếu tên bước"))
    return {
        "name": name,
        "role": _choice(raw.get("role"), Role.values, _("vai trò")),
        "division_code": _text(raw.get("division"), 40),
        "handover": _choice(
            raw.get("handover") or "", ProcessStep.Handover.values, _("liên thông")
        ),
        "budget": _decimal(raw.get("budget"), _("thời gian của bước")),
    }


def clean_catalog(data: dict, known_fields: set[str]) -> CleanCatalog:
    """Check every item; raise CatalogImportError listing all problems at once."""
    errors = _Errors()
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise CatalogImportError([_("Tệp không đúng định dạng %(f)s.") % {"f": FORMAT}])

    fields: list[dict] = []
    for i, raw in enumerate(data.get("fields") or [], start=1):
        where = raw.get("_where") or _("Lĩnh vực thứ %(n)s") % {"n": i}
        try:
            code, name = _text(raw.get("code"), 20), _text(raw.get("name"), 200)
            if not code or not name:
                raise ValueError(_("cần mã và tên lĩnh vực"))
            fields.append({"code": code, "name": name, "name_en": _text(raw.get("name_en"), 200)})
        except (ValueError, AttributeError) as exc:
            errors.at(where, str(exc))
    field_codes = known_fields | {f["code"] for f in fields}

    procedures: list[CleanProcedure] = []
    seen: set[str] = set()
    for i, raw in enumerate(data.get("procedures") or [], start=1):
        where = raw.get("_where") if isinstance(raw, dict) else None
        where = where or _("Thủ tục thứ %(n)s") % {"n": i}
        code = _text(raw.get("national_code"))[:30] if isinstance(raw, dict) else ""
        if code:
            where = f"{where} ({code})"
        try:
            procedures.append(_clean_procedure(raw, field_codes, seen, errors, where))
        except (ValueError, AttributeError, TypeError) as exc:
            errors.at(where, str(exc))
    if not procedures and not fields and not errors:
        errors.append(_("Tệp không có thủ tục nào."))
    if errors:
        raise CatalogImportError(errors)
    return CleanCatalog(fields=fields, procedures=procedures)


def _clean_procedure(raw, field_codes, seen, errors: _Errors, where: str) -> CleanProcedure:
    if not isinstance(raw, dict):
        raise ValueError(_("mỗi thủ tục phải là một đối tượng"))
    code = _text(raw.get("national_code"), 30)
    name = _text(raw.get("name"), 500)
    if not code:
        raise ValueError(_("thiếu mã thủ tục"))
    if not name:
        raise ValueError(_("thiếu tên thủ tục"))
    if code in seen:
        raise ValueError(_("mã thủ tục %(c)s bị lặp") % {"c": code})
    seen.add(code)
    field_code = _text(raw.get("field"))
    if field_code not in field_codes:
        raise ValueError(_("lĩnh vực “%(f)s” chưa có trong danh mục") % {"f": field_code})
    tiers = _list(raw.get("tiers"))
    bad = [t for t in tiers if t not in Tier.values]
    if bad or not tiers:
        raise ValueError(_("cấp thực hiện phải là province, district hoặc commune"))
    timing = raw.get("processing_time")
    if isinstance(timing, dict):
        value, unit, cutoff = timing.get("value"), timing.get("unit"), timing.get("cutoff")
    else:
        value, unit, cutoff = timing, raw.get("processing_unit"), raw.get("cutoff")
    unit = _choice(unit or "working_day", TimeUnit.values, _("đơn vị thời hạn"))
    values = {
        "name": name,
        "name_en": _text(raw.get("name_en"), 500),
        "tiers": tiers,
        "handling_agency": _text(raw.get("handling_agency"), 300),
        "processing_time": _decimal(value if value not in (None, "") else 0, _("thời hạn")),
        "processing_unit": unit,
        "cutoff": _cutoff(cutoff),
        "online_level": _choice(
            raw.get("online_level") or "info", OnlineLevel.values, _("mức độ trực tuyến")
        ),
        "applicant_types": _text(raw.get("applicant_types"), 300),
        "description": _text(raw.get("description")),
        "conditions": _text(raw.get("conditions")),
        "result": _text(raw.get("result")),
        "legal_basis": _text(raw.get("legal_basis")),
        "signed_result_required": _bool(raw.get("signed_result_required", False)),
    }
    proc = CleanProcedure(
        code=code,
        where=where,
        values=values,
        field_code=field_code,
        agency_codes=_list(raw.get("agencies")),
        department=_text(raw.get("department")) or None,
    )
    for kind, cleaner, target in (
        ("fees", _clean_fee, proc.fees),
        ("components", _clean_component, proc.components),
    ):
        for j, item in enumerate(raw.get(kind) or [], start=1):
            item_where = (item.get("_where") if isinstance(item, dict) else None) or where
            try:
                target.append(cleaner(item))
            except (ValueError, AttributeError, TypeError) as exc:
                errors.at(item_where, f"{_('mục')} {j}: {exc}")
    if raw.get("steps") is not None:
        proc.steps = []
        for j, item in enumerate(raw["steps"], start=1):
            item_where = (item.get("_where") if isinstance(item, dict) else None) or where
            try:
                proc.steps.append(_clean_step(item))
            except (ValueError, AttributeError, TypeError) as exc:
                errors.at(item_where, f"{_('bước')} {j}: {exc}")
        total = sum((s["budget"] for s in proc.steps), Decimal(0))
        expected = _expected_days(values)
        if proc.steps and expected is not None and total != expected:
            errors.at(
                where,
                _("tổng thời gian các bước (%(t)s ngày) khác thời hạn giải quyết (%(e)s ngày)")
                % {"t": f"{total.normalize():f}", "e": f"{expected.normalize():f}"},
            )
    return proc


def _expected_days(values: dict) -> Decimal | None:
    if values["processing_unit"] == TimeUnit.WORKING_HOUR:
        return values["processing_time"] / Decimal(8)
    if values["processing_unit"] == TimeUnit.SAME_DAY:
        return None  # a same-day budget only has to fit in the day
    return values["processing_time"]
