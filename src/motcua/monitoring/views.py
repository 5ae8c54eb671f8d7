"""The supervisors' pages: the province at a glance, a unit, an agency, a field, the dossiers
behind any figure, and the reports. Thin: figures.py, subjects.py and drilldown.py do the work."""

from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from motcua.backoffice.views import staff_required
from motcua.catalog.models import Field, Procedure
from motcua.core import downloads
from motcua.core.paging import CappedPaginator
from motcua.dossiers.models import DossierEvent
from motcua.org import permissions
from motcua.org.models import Agency, Unit
from motcua.org.selectors import province_name
from motcua.privacy import access

from . import charts, drilldown, figures, periods, reports, subjects
from .figures import RATES, Scope
from .messages import notification_figures
from .permissions import VIEW_MONITORING

PAGE_SIZE = 25
BAND_COLOURS = {"green": "#1b7a3a", "yellow": "#a15c00", "orange": "#c2410c", "red": "#b3261e"}
# The rates shown as tiles, each linked to the dossiers of its numerator.
TILES = (
    "progress",
    "on_time",
    "online",
    "paid_online",
    "digitized",
    "e_result",
    "satisfaction",
)


def monitoring_required(view):
    @staff_required
    def wrapper(request, *args, **kwargs):
        permissions.require(request.user, VIEW_MONITORING)
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _period(request):
    period, error = periods.parse(request.GET, timezone.localdate())
    if error:
        messages.error(request, error)
    return period


def _link(metric: str, subject_query: dict, period) -> str:
    return (
        reverse("monitoring:dossiers")
        + "?"
        + urlencode({"chi_so": metric, **(subject_query or {}), **period.query})
    )


def _trend(months, code: str) -> list[float | None]:
    spec = RATES[code]
    series = []
    for _month, flows in months:
        den = _flow_value(flows, spec.denominator)
        series.append(100 * _flow_value(flows, spec.numerator) / den if den else None)
    return series


def _flow_value(flows: dict, name: str) -> int:
    derived = {
        "finished_in_time": flows["early"] + flows["on_time"],
        "satisfied": flows["finished"] - flows["dissatisfied"],
        # Monthly trend of 2.1 uses the month's finished dossiers (stocks are not per month).
        "progress_in_time": flows["early"] + flows["on_time"],
        "progress_all": flows["finished"],
    }
    return derived[name] if name in derived else flows.get(name, 0)


def _tiles(fig, months, query: dict, period) -> list[dict]:
    tiles = []
    for code in TILES:
        rate = fig.rate(code)
        trend = _trend(months, code)
        tiles.append(
            {
                "rate": rate,
                "href": _link(rate.spec.numerator, query, period),
                "denominator_href": _link(rate.spec.denominator, query, period)
                if rate.spec.denominator in drilldown.METRICS
                else "",
                "spark": charts.sparkline(
                    trend,
                    label=_("%(name)s, 12 tháng") % {"name": rate.spec.label},
                    colour=BAND_COLOURS.get(rate.band.slug if rate.band else "", "#55525a"),
                ),
            }
        )
    return tiles


def _channel_chart(months) -> str:
    labels = [f"{m.start.month}/{m.start.year % 100:02d}" for m, _flows in months]
    online = [f["received_online"] for _m, f in months]
    post = [f["received_post"] for _m, f in months]
    counter = [f["received"] - f["received_online"] - f["received_post"] for _m, f in months]
    return charts.bar_chart(
        labels,
        [
            (_("Trực tuyến"), online, "#1a5fb4"),
            (_("Trực tiếp"), counter, "#b3261e"),
            (_("Bưu chính"), post, "#a15c00"),
        ],
        label=_("Hồ sơ tiếp nhận theo tháng và kênh"),
    )


def _counts(fig, query: dict, period) -> list[tuple[str, int, str]]:
    return [
        (drilldown.METRICS[m], fig.count(m), _link(m, query, period))
        for m in (
            "carried",
            "received",
            "received_online",
            "received_counter",
            "received_post",
            "finished",
            "early",
            "on_time",
            "late",
            "in_progress",
            "in_time",
            "overdue",
            "apologies",
        )
    ]


def _page(request, subject, template: str, extra: dict, period=None) -> HttpResponse:
    period = period or _period(request)
    fig = figures.total(subject.scope, period)
    months = figures.monthly(subject.scope, period)
    context = {
        "subject": subject,
        "period": period,
        "fig": fig,
        "score": fig.score(),
        "tiles": _tiles(fig, months, subject.query, period),
        "counts": _counts(fig, subject.query, period),
        "links": {
            m: _link(m, subject.query, period)
            for m in ("online_e_result", "fee_paid", "fee_paid_online", "fee_bearing")
        },
        "chart": _channel_chart(months),
        "report_query": urlencode({**subject.query, **period.query}),
        # Messages belong to agencies, not to fields: no such page for a field's subject.
        "notifications_query": None
        if {"linh_vuc", "thu_tuc"} & set(subject.query)
        else urlencode({**subject.query, **period.query}),
        "period_query": urlencode(period.query),
        "period_choices": _period_choices(),
        **extra,
    }
    if callable(context.get("rows")):
        context["rows"] = context["rows"](period)
    return render(request, template, context)


def _period_choices() -> list[tuple[str, str]]:
    today = timezone.localdate()
    this_month = periods.Period.month(today.year, today.month)
    months = this_month.months(13)[::-1]
    quarters, seen = [], set()
    for m in months:
        q = periods.Period.quarter(m.start.year, (m.start.month + 2) // 3)
        if q.key not in seen:
            seen.add(q.key)
            quarters.append(q)
    years = [periods.Period.year(today.year - i) for i in range(3)]
    return [(p.key, p.label) for p in [*months, *quarters, *years]]


def _rows(subject_list):
    def build(period):
        figs = subjects.figures_of(subject_list, period)
        return [
            {
                "subject": s,
                "fig": figs[s.key],
                "score": figs[s.key].score(),
                "links": {
                    m: _link(m, s.query, period)
                    for m in ("received", "finished", "late", "overdue")
                },
            }
            for s in subject_list
        ]

    return build


@require_GET
@monitoring_required
def dashboard(request):
    """The user's whole scope: the province for a province supervisor."""
    subject = subjects.subject_from(request.user, {})
    subjects.name_whole_scope(request.user, subject)
    period = _period(request)
    ranking = subjects.ranking_groups(request.user)
    groups = []
    if ranking:
        # One read per period for every ranking: the agencies' figures, merged per row.
        scope = Scope(agencies=subject.scope.agencies)
        now = figures.figures(scope, period, by="agency")
        before = figures.figures(scope, period.previous(), by="agency")
        groups = [
            (slug, title, subjects.rank(members, period, now=now, before=before))
            for slug, title, members in ranking
        ]
    return _page(
        request,
        subject,
        "monitoring/dashboard.html",
        {"groups": groups, "rows": _field_rows(subject.scope), "rows_title": _("Theo lĩnh vực")},
        period,
    )


def _field_rows(scope: Scope):
    """A row per field: one read grouped by procedure, merged per field."""

    def build(period):
        per_procedure = figures.figures(scope, period, by="procedure")
        by_field: dict[int, list] = {}
        for pk, field_id in Procedure.objects.values_list("pk", "field_id"):
            if pk in per_procedure:
                by_field.setdefault(field_id, []).append(per_procedure[pk])
        out = []
        for f in Field.objects.filter(pk__in=by_field).order_by("name"):
            fig = figures.merge(by_field[f.pk], period)
            if not (fig.count("received") or fig.count("in_progress") or fig.count("finished")):
                continue
            query = {"linh_vuc": f.code}
            out.append(
                {
                    "subject": subjects.Subject(
                        f"f{f.pk}", f.name, scope, reverse("monitoring:field", args=[f.code]), query
                    ),
                    "fig": fig,
                    "score": fig.score(),
                    "links": {
                        m: _link(m, query, period)
                        for m in ("received", "finished", "late", "overdue")
                    },
                }
            )
        return out

    return build


@require_GET
@monitoring_required
def unit(request, pk: int):
    unit = get_object_or_404(Unit, pk=pk)
    subject = subjects.subject_from(request.user, {"don_vi": pk})
    members = [
        subjects.Subject(
            f"a{a.pk}",
            a.name,
            Scope(agencies=frozenset({a.pk})),
            reverse("monitoring:agency", args=[a.pk]),
            {"co_quan": a.pk},
        )
        for a in Agency.objects.filter(unit=unit).order_by("name")
    ] + [
        subjects.Subject(
            f"u{u.pk}",
            u.name,
            Scope(agencies=subjects.unit_agencies(u)),
            reverse("monitoring:unit", args=[u.pk]),
            {"don_vi": u.pk},
        )
        for u in unit.children.filter(valid_to__isnull=True).order_by("name")
    ]
    members = [m for m in members if m.scope.agencies]
    return _page(
        request,
        subject,
        "monitoring/subject.html",
        {"rows": _rows(members), "rows_title": _("Theo cơ quan, đơn vị trực thuộc")},
    )


def _procedure_rows(scope: Scope, query: dict):
    def build(period):
        per = figures.figures(scope, period, by="procedure")
        names = dict(
            Procedure.objects.filter(pk__in=[k for k in per if k]).values_list("pk", "name")
        )
        out = []
        for pk, fig in per.items():
            if not pk or pk not in names:
                continue
            if not (fig.count("received") or fig.count("in_progress") or fig.count("finished")):
                continue
            q = {**query, "thu_tuc": pk}
            s = subjects.Subject(f"p{pk}", names[pk], Scope(scope.agencies, frozenset({pk})))
            out.append(
                {
                    "subject": s,
                    "fig": fig,
                    "score": fig.score(),
                    "links": {
                        m: _link(m, q, period) for m in ("received", "finished", "late", "overdue")
                    },
                }
            )
        return sorted(out, key=lambda r: -r["fig"].count("received"))

    return build


@require_GET
@monitoring_required
def agency(request, pk: int):
    get_object_or_404(Agency, pk=pk)
    subject = subjects.subject_from(request.user, {"co_quan": pk})
    return _page(
        request,
        subject,
        "monitoring/subject.html",
        {
            "rows": _procedure_rows(subject.scope, subject.query),
            "rows_title": _("Theo thủ tục"),
            "name_header": _("Thủ tục"),
        },
    )


@require_GET
@monitoring_required
def field(request, code: str):
    get_object_or_404(Field, code=code)
    subject = subjects.subject_from(request.user, {"linh_vuc": code})
    return _page(
        request,
        subject,
        "monitoring/subject.html",
        {
            "rows": _procedure_rows(Scope(subject.scope.agencies, subject.scope.procedures), {}),
            "rows_title": _("Theo thủ tục"),
            "name_header": _("Thủ tục"),
        },
    )


def _drill(request):
    metric = request.GET.get("chi_so", "")
    if metric not in drilldown.METRICS:
        raise Http404
    subject = subjects.subject_from(request.user, request.GET)
    period = _period(request)
    qs = drilldown.dossiers(subject.scope, period, metric)
    return metric, subject, period, qs


@require_GET
@monitoring_required
def dossiers(request):
    """The dossiers behind one figure: as many rows as the figure says."""
    metric, subject, period, qs = _drill(request)
    qs = qs.select_related("procedure", "receiving_agency").order_by("-received_at", "pk")
    total = qs.count()
    paginator = CappedPaginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("trang"))
    # Names only where the reader may see them (a supervisor follows progress, not people).
    page.object_list = access.masked_rows(request.user, page.object_list)
    query = {k: v for k, v in request.GET.items() if k != "trang"}
    return render(
        request,
        "monitoring/dossiers.html",
        {
            "metric": metric,
            "metric_label": drilldown.METRICS[metric],
            "subject": subject,
            "period": period,
            "total": total,
            "page": page,
            "query": urlencode(query),
            "period_query": urlencode(period.query),
        },
    )


def _xlsx(data: bytes, name: str) -> HttpResponse:
    return downloads.bytes_response(data, filename=name, content_type=downloads.XLSX)


def _stamp(period) -> str:
    return period.key.replace("..", "_")


@require_GET
@monitoring_required
def export(request):
    """Any drill-down list as a spreadsheet."""
    metric, subject, period, qs = _drill(request)
    qs = qs.select_related("procedure", "receiving_agency").order_by("received_at", "pk")
    title = f"{drilldown.METRICS[metric]} — {subject.label} — {period.label}"
    return _xlsx(
        reports.dossier_list_xlsx(title=title, dossiers=access.exported_rows(request, qs)),
        f"ho-so-{metric}-{_stamp(period)}.xlsx",
    )


def _report_rows(request, subject, period):
    """Rows of the handling report: the agencies of a unit or agency, else the fields."""
    if subject.query.get("don_vi") or subject.query.get("co_quan") or subject.scope.agencies:
        agencies = subject.scope.agencies
        qs = Agency.objects.order_by("-unit__tier", "unit__name", "name")  # province first
        if agencies is not None:
            qs = qs.filter(pk__in=agencies)
        members = [
            subjects.Subject(f"a{a.pk}", a.name, Scope(frozenset({a.pk}), subject.scope.procedures))
            for a in qs
        ]
        figs = subjects.figures_of(members, period, procedures=subject.scope.procedures)
        rows = [(m.label, figs[m.key]) for m in members]
    else:
        rows = []
        for f in Field.objects.filter(procedures__isnull=False).distinct().order_by("name"):
            scope = Scope(None, frozenset(f.procedures.values_list("pk", flat=True)))
            rows.append((f.name, figures.total(scope, period)))
    return [
        (label, fig)
        for label, fig in rows
        if fig.count("received") or fig.count("carried") or fig.count("finished")
    ]


@require_GET
@monitoring_required
def report(request, fmt: str):
    if fmt not in ("xlsx", "pdf"):
        raise Http404
    subject = subjects.subject_from(request.user, request.GET)
    period = _period(request)
    total = figures.total(subject.scope, period)
    args = {
        "title": subject.label,
        "unit_name": subject.label
        if subject.scope.agencies is not None
        else (province_name() or _("Toàn tỉnh")),
        "period": period,
        "rows": _report_rows(request, subject, period),
        "total": total,
        # Messages belong to agencies: a field's report has none of its own.
        "notifications": None
        if subject.scope.procedures is not None
        else notification_figures(subject.scope, period),
    }
    if fmt == "pdf":
        return downloads.bytes_response(
            reports.handling_report_pdf(**args),
            filename=f"bao-cao-{_stamp(period)}.pdf",
            content_type="application/pdf",
        )
    return _xlsx(reports.handling_report_xlsx(**args), f"bao-cao-{_stamp(period)}.xlsx")


@require_GET
@monitoring_required
def register(request):
    """The dossier register (Form 07) of the dossiers received in the period."""
    subject = subjects.subject_from(request.user, request.GET)
    period = _period(request)
    first_forward = DossierEvent.objects.filter(dossier=OuterRef("pk"), action="forward")
    qs = (
        drilldown.dossiers(subject.scope, period, "received")
        .select_related("procedure", "receiving_agency", "current_agency")
        .annotate(forwarded_at=Subquery(first_forward.order_by("seq").values("at")[:1]))
        .order_by("received_at", "pk")
    )
    unit_name = subject.label if subject.scope.agencies is not None else province_name()
    return _xlsx(
        reports.register_xlsx(
            unit_name=unit_name or subject.label,
            period=period,
            dossiers=access.exported_rows(request, qs),
        ),
        f"so-theo-doi-ho-so-{_stamp(period)}.xlsx",
    )
