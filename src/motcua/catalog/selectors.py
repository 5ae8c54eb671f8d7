"""Reads of the catalog: public listing and search, a procedure page, and the export."""

from django.db.models import Case, IntegerField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Length

from motcua.core.text import fold, tokens
from motcua.org.models import Agency

from .importing import FORMAT
from .models import Field, Procedure, ProcessDefinition


def procedure_list(
    *,
    query: str = "",
    field: str = "",
    agency: str = "",
    tier: str = "",
    online_level: str = "",
) -> QuerySet[Procedure]:
    """Active procedures matching every filter; with a query, the best matches first.

    Ranking: the whole name equals the query, then the name starts with it, then the name
    holds it as a phrase, then every word is in the name, then the words are anywhere
    (code, English name, agency). Shorter names first within a rank.
    """
    qs = Procedure.objects.filter(is_active=True).select_related("field")
    if field:
        qs = qs.filter(field__code=field)
    if agency:
        qs = qs.filter(agencies__code=agency).distinct()
    if tier:
        # Tiers are a short JSON list; matching the quoted value works on every database.
        qs = qs.filter(tiers__icontains=f'"{tier}"')
    if online_level:
        qs = qs.filter(online_level=online_level)
    folded = fold(query)
    words = tokens(query)
    if not words:
        return qs.order_by("field__name", "name")
    for word in words:
        qs = qs.filter(search_folded__contains=word)
    # Drop a leading "thu tuc" so "dang ky khai sinh" ranks "Thủ tục đăng ký khai sinh" first.
    rank = Case(
        When(name_folded=folded, then=Value(0)),
        When(name_folded=f"thu tuc {folded}", then=Value(0)),
        When(name_folded__startswith=folded, then=Value(1)),
        When(name_folded__startswith=f"thu tuc {folded}", then=Value(1)),
        When(name_folded__contains=folded, then=Value(2)),
        When(_all_words_in_name(words), then=Value(3)),
        default=Value(4),
        output_field=IntegerField(),
    )
    return qs.annotate(rank=rank, name_length=Length("name")).order_by(
        "rank", "name_length", "name"
    )


def _all_words_in_name(words: list[str]) -> Q:
    condition = Q()
    for word in words:
        condition &= Q(name_folded__contains=word)
    return condition


def procedure_detail(national_code: str) -> Procedure | None:
    return (
        Procedure.objects.filter(national_code=national_code, is_active=True)
        .select_related("field")
        .prefetch_related(
            "fees",
            "components",
            Prefetch("agencies", queryset=Agency.objects.select_related("unit")),
        )
        .first()
    )


def fields_with_counts() -> QuerySet[Field]:
    from django.db.models import Count

    return Field.objects.annotate(
        count=Count("procedures", filter=Q(procedures__is_active=True))
    ).filter(count__gt=0)


def catalog_export_data() -> dict:
    """The whole catalog in the import format, so an export re-imports to the same rows."""
    procedures = (
        Procedure.objects.select_related("field")
        .prefetch_related(
            "fees",
            "components",
            "agencies",
            Prefetch(
                "processes",
                queryset=ProcessDefinition.objects.filter(published=True)
                .order_by("-version")
                .prefetch_related("steps"),
            ),
        )
        .order_by("national_code")
    )
    fields = [
        {"code": f.code, "name": f.name, "name_en": f.name_en}
        for f in Field.objects.order_by("code")
    ]
    items = []
    for p in procedures:
        process = next(iter(p.processes.all()), None)
        item = {
            "national_code": p.national_code,
            "name": p.name,
            "name_en": p.name_en,
            "field": p.field.code,
            "tiers": list(p.tiers),
            "handling_agency": p.handling_agency,
            "agencies": sorted(a.code for a in p.agencies.all()),
            "processing_time": {
                "value": _dec(p.processing_time),
                "unit": p.processing_unit,
                **({"cutoff": p.cutoff.strftime("%H:%M")} if p.cutoff else {}),
            },
            "online_level": p.online_level,
            "applicant_types": p.applicant_types,
            "description": p.description,
            "conditions": p.conditions,
            "result": p.result,
            "legal_basis": p.legal_basis,
            "signed_result_required": p.signed_result_required,
            "fees": [
                {
                    "name": f.name,
                    "kind": f.kind,
                    "formula": f.formula,
                    "amount": f.amount,
                    "unit_label": f.unit_label,
                    "tiers": f.tiers,
                    "cap": f.cap,
                    "note": f.note,
                }
                for f in p.fees.all()
            ],
            "components": [
                {
                    "name": c.name,
                    "originals": c.originals,
                    "copies": c.copies,
                    "required": c.required,
                    "form": c.form_name,
                    "note": c.note,
                }
                for c in p.components.all()
            ],
        }
        if process is not None:
            item["steps"] = [
                {
                    "name": s.name,
                    "role": s.role,
                    "division": s.division_code,
                    "handover": s.handover,
                    "budget": _dec(s.budget),
                }
                for s in process.steps.all()
            ]
        items.append(item)
    return {"format": FORMAT, "fields": fields, "procedures": items}


def _dec(value) -> str:
    return f"{value.normalize():f}"
