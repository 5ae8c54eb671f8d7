"""What a supervisor may look at: the agencies of his scope, units, fields, and rankings."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from motcua.catalog.models import Field, Procedure
from motcua.org.models import Agency, Tier, Unit
from motcua.org.permissions import reachable_agency_ids
from motcua.org.selectors import org_tree

from .figures import Figures, Scope, figures, merge
from .periods import Period
from .permissions import VIEW_MONITORING


def allowed_agencies(user) -> frozenset[int] | None:
    """Agencies whose dossiers the user may count (None: all)."""
    ids = reachable_agency_ids(user, VIEW_MONITORING)
    if ids is not None and len(ids) >= len(org_tree().agency_unit):
        return None
    return None if ids is None else frozenset(ids)


def scope_name(user) -> str:
    """The units or agencies where the user holds a monitoring role, by name."""
    from motcua.org.permissions import roles_for
    from motcua.org.selectors import active_assignments

    allowed = roles_for(VIEW_MONITORING)
    names = [str(a.unit or a.agency) for a in active_assignments(user) if a.role in allowed]
    return "; ".join(dict.fromkeys(names))


def unit_agencies(unit: Unit, *, with_subunits: bool = True) -> frozenset[int]:
    tree = org_tree()
    units = tree.unit_descendants(unit.pk) if with_subunits else {unit.pk}
    return frozenset(a for a, u in tree.agency_unit.items() if u in units)


def _within(agencies: frozenset[int], allowed) -> bool:
    return allowed is None or agencies <= allowed


def name_whole_scope(user, subject: "Subject") -> None:
    """The label of the user's whole scope: the province's name, or his units' names."""
    from motcua.org.selectors import province_name

    if subject.scope.agencies is None:
        subject.label = province_name() or _("Toàn tỉnh")
    else:
        subject.label = scope_name(user) or subject.label


@dataclass
class Subject:
    """One row of a table or ranking: a name, its dossiers, and its page."""

    key: str
    label: str
    scope: Scope
    url: str = ""
    query: dict | None = None  # the drill-down's parameters for this subject


def subject_from(user, params) -> Subject:
    """The subject a request names (don_vi, co_quan, linh_vuc, thu_tuc), within the user's
    scope; the user's whole scope when none is named."""
    allowed = allowed_agencies(user)
    agencies = allowed
    label = _("Toàn bộ phạm vi theo dõi")
    query: dict = {}
    procedures = None
    try:
        if params.get("don_vi"):
            unit = Unit.objects.filter(pk=int(params["don_vi"])).first()
            if unit is None:
                raise Http404
            own = str(params.get("rieng", "")) == "1"
            agencies = unit_agencies(unit, with_subunits=not own)
            label = unit.name
            query["don_vi"] = unit.pk
            if own and unit.children.exists():
                # A district's ranking row: its own agencies, without its communes.
                label = _("%(unit)s (không gồm cấp xã)") % {"unit": unit.name}
                query["rieng"] = 1
        elif params.get("co_quan"):
            agency = Agency.objects.filter(pk=int(params["co_quan"])).first()
            if agency is None:
                raise Http404
            agencies = frozenset(org_tree().agency_descendants(agency.pk))
            label = agency.name
            query["co_quan"] = agency.pk
        if params.get("linh_vuc"):
            field = Field.objects.filter(code=str(params["linh_vuc"])[:20]).first()
            if field is None:
                raise Http404
            procedures = frozenset(field.procedures.values_list("pk", flat=True))
            label = field.name if not query else f"{label} · {field.name}"
            query["linh_vuc"] = field.code
        elif params.get("thu_tuc"):
            procedure = Procedure.objects.filter(pk=int(params["thu_tuc"])).first()
            if procedure is None:
                raise Http404
            procedures = frozenset({procedure.pk})
            label = procedure.name if not query else f"{label} · {procedure.name}"
            query["thu_tuc"] = procedure.pk
    except (TypeError, ValueError):
        raise Http404 from None
    if agencies is not None and not _within(agencies, allowed):
        raise PermissionDenied(_("Đơn vị này nằm ngoài phạm vi theo dõi của bạn."))
    return Subject("", label, Scope(agencies=agencies, procedures=procedures), query=query)


def _agency_subject(agency: Agency) -> Subject:
    return Subject(
        f"a{agency.pk}",
        agency.name,
        Scope(agencies=frozenset(org_tree().agency_descendants(agency.pk))),
        reverse("monitoring:agency", args=[agency.pk]),
        {"co_quan": agency.pk},
    )


def _unit_subject(unit: Unit, *, with_subunits: bool) -> Subject:
    return Subject(
        f"u{unit.pk}",
        unit.name,
        Scope(agencies=unit_agencies(unit, with_subunits=with_subunits)),
        reverse("monitoring:unit", args=[unit.pk]),
        {"don_vi": unit.pk} if with_subunits else {"don_vi": unit.pk, "rieng": 1},
    )


def ranking_groups(user) -> list[tuple[str, str, list[Subject]]]:
    """(slug, title, subjects) of each ranking the user may see: departments, districts (their
    own agencies), communes of the province — only those inside the user's scope."""
    allowed = allowed_agencies(user)
    departments = [
        _agency_subject(a)
        for a in Agency.objects.filter(kind=Agency.Kind.DEPARTMENT, unit__tier=Tier.PROVINCE)
        .exclude(valid_to__isnull=False)
        .order_by("name")
    ]
    districts = [
        _unit_subject(u, with_subunits=False)
        for u in Unit.objects.filter(tier=Tier.DISTRICT, valid_to__isnull=True).order_by("name")
    ]
    communes = [
        _unit_subject(u, with_subunits=False)
        for u in Unit.objects.filter(tier=Tier.COMMUNE, valid_to__isnull=True).order_by("name")
    ]
    groups = [
        ("so-nganh", _("Sở, ban, ngành"), departments),
        ("cap-huyen", _("Cấp huyện"), districts),
        ("cap-xa", _("Cấp xã"), communes),
    ]
    out = []
    for slug, title, subjects in groups:
        visible = [s for s in subjects if s.scope.agencies and _within(s.scope.agencies, allowed)]
        if visible:
            out.append((slug, title, visible))
    return out


def figures_of(
    subjects: list[Subject], period: Period, procedures=None, per_agency=None
) -> dict[str, Figures]:
    """Each subject's figures, from one grouped read of the counters for all their agencies
    (or from `per_agency`, read once for several tables)."""
    if per_agency is None:
        agencies = frozenset().union(*(s.scope.agencies or frozenset() for s in subjects))
        per_agency = figures(Scope(agencies=agencies, procedures=procedures), period, by="agency")
    out = {}
    for s in subjects:
        parts = [per_agency[a] for a in s.scope.agencies or () if a in per_agency]
        out[s.key] = merge(parts, period)
    return out


@dataclass
class Ranked:
    subject: Subject
    figures: Figures
    rank: int
    previous_rank: int | None

    @property
    def change(self) -> int | None:
        return None if self.previous_rank is None else self.previous_rank - self.rank


def _order(subjects, figs: dict[str, Figures]) -> list[str]:
    def key(s):
        f = figs[s.key]
        percent = f.score()[2]
        on_time = f.rate("on_time").share
        return (
            percent is None,
            -(percent or 0),
            -(on_time or 0),
            -f.count("received"),
            s.label,
        )

    return [s.key for s in sorted(subjects, key=key)]


def rank(subjects: list[Subject], period: Period, now=None, before=None) -> list[Ranked]:
    """Subjects by estimated score, best first, with their rank in the previous period.
    `now` and `before`: per-agency figures of both periods when the caller has them."""
    now_figs = figures_of(subjects, period, per_agency=now)
    before = figures_of(subjects, period.previous(), per_agency=before)
    now_order = _order(subjects, now_figs)
    prev_order = _order(subjects, before)
    had_data = {k for k, f in before.items() if f.score()[2] is not None}
    by_key = {s.key: s for s in subjects}
    return [
        Ranked(
            by_key[key],
            now_figs[key],
            i + 1,
            prev_order.index(key) + 1 if key in had_data else None,
        )
        for i, key in enumerate(now_order)
    ]
