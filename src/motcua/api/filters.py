"""Filters of the dossier list: state, unit, procedure, due before/after, late."""

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter

from motcua.dossiers.errors import InvalidInput
from motcua.dossiers.lifecycle import FINISHED, State
from motcua.dossiers.selectors import visible_dossiers
from motcua.org.models import Unit
from motcua.org.selectors import org_tree

PARAMETERS = [
    OpenApiParameter("state", str, enum=State.values),
    OpenApiParameter("unit", str, description="mã đơn vị (gồm các đơn vị trực thuộc)"),
    OpenApiParameter("procedure", str, description="mã thủ tục"),
    OpenApiParameter("due_before", str, description="ISO 8601"),
    OpenApiParameter("due_after", str, description="ISO 8601"),
    OpenApiParameter("late", bool),
]


def visible(user) -> QuerySet:
    return (
        visible_dossiers(user)
        .select_related("procedure", "receiving_agency", "current_agency", "assignee")
        .order_by("-received_at", "-id")
    )


def _moment(value: str, name: str) -> datetime:
    moment = parse_datetime(value)
    if moment is None:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise InvalidInput({name: [_("Thời điểm phải theo ISO 8601.")]}) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def apply(qs: QuerySet, params) -> QuerySet:
    state = params.get("state")
    if state:
        if state not in State.values:
            raise InvalidInput({"state": [_("Trạng thái không hợp lệ.")]})
        qs = qs.filter(state=state)
    unit_code = params.get("unit")
    if unit_code:
        unit = Unit.objects.filter(code=unit_code).first()
        if unit is None:
            raise InvalidInput({"unit": [_("Không có đơn vị mã %(c)s.") % {"c": unit_code}]})
        qs = qs.filter(receiving_unit_id__in=org_tree().unit_descendants(unit.pk))
    if params.get("procedure"):
        qs = qs.filter(procedure__national_code=params["procedure"])
    if params.get("due_before"):
        qs = qs.filter(due_at__lt=_moment(params["due_before"], "due_before"))
    if params.get("due_after"):
        qs = qs.filter(due_at__gte=_moment(params["due_after"], "due_after"))
    late = params.get("late")
    if late in ("true", "1", "false", "0"):
        now = timezone.now()
        # Open and past due, or finished after the due time.
        late_q = (Q(due_at__lt=now) & ~Q(state__in=FINISHED | {State.NOT_RECEIVED})) | Q(
            state__in=FINISHED, finished_at__gt=models_f("due_at")
        )
        qs = (
            qs.filter(late_q)
            if late in ("true", "1")
            else qs.exclude(late_q).filter(due_at__isnull=False)
        )
    elif late not in (None, ""):
        raise InvalidInput({"late": [_("Giá trị là true hoặc false.")]})
    return qs


def models_f(name: str):
    from django.db.models import F

    return F(name)
