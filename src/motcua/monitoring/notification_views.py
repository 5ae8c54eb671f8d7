"""The supervisors' page of messages sent and lookups answered, the messages behind each of
its numbers, and their export. Thin: messages.py reads, message_reports.py writes workbooks."""

from urllib.parse import urlencode

from django.contrib import messages as flash
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from motcua.core.paging import CappedPaginator

from . import message_reports, messages, subjects
from .views import PAGE_SIZE, _period, _period_choices, _stamp, _xlsx, monitoring_required

SUBJECT_PARAMS = ("don_vi", "co_quan", "rieng")


def _subject(request):
    """The unit or agency asked for, within the user's scope (403 outside it, 404 unknown);
    with `rieng=1` beside `co_quan`, that agency's own messages (a row of the agency table)."""
    params = {k: request.GET[k] for k in SUBJECT_PARAMS if request.GET.get(k)}
    subject = subjects.subject_from(request.user, params)
    if not subject.query:  # the user's whole scope, named as the dashboard names it
        subjects.name_whole_scope(request.user, subject)
    own = None
    if "co_quan" in subject.query and "don_vi" not in subject.query and params.get("rieng") == "1":
        own = subject.query["co_quan"]
        subject.query["rieng"] = 1
        if subject.scope.agencies and len(subject.scope.agencies) > 1:
            subject.label = _("%(agency)s (không gồm cơ quan trực thuộc)") % {
                "agency": subject.label
            }
    return subject, own


@require_GET
@monitoring_required
def notifications(request):
    """Messages per channel, event and agency, failures by reason, lookups by channel."""
    subject, _own = _subject(request)
    period = _period(request)
    figures = messages.notification_figures(subject.scope, period)
    return render(
        request,
        "monitoring/notifications.html",
        {
            "subject": subject,
            "period": period,
            "fig": figures,
            "narrow": subject.scope.agencies is not None,
            "base": {**subject.query, **period.query},
            "period_base": period.query,
            "period_query": urlencode(period.query),
            "report_query": urlencode({**subject.query, **period.query}),
            "period_choices": _period_choices(),
        },
    )


def _drill(request):
    subject, own = _subject(request)
    period = _period(request)
    flt, errors = messages.parse_filter(request.GET)
    for error in errors:
        flash.error(request, error)
    qs = messages.messages(subject.scope, period, flt, agency=own)
    return subject, period, flt, errors, qs


def _list_page(request, subject, period, flt, errors, qs):
    if errors:  # said above the list; an empty list rather than a wrong one
        qs = qs.none()
    qs = messages.rows(qs).order_by("-created_at", "pk")
    total = qs.count()
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("trang"))
    query = {k: v for k, v in request.GET.items() if k != "trang"}
    return render(
        request,
        "monitoring/messages.html",
        {
            "subject": subject,
            "period": period,
            "filter": flt,
            "total": total,
            "page": page,
            "rows": [(m, messages.masked_recipient(m.recipient)) for m in page.object_list],
            "query": urlencode(query),
            "back_query": urlencode({**subject.query, **period.query}),
        },
        status=400 if errors else 200,
    )


@require_GET
@monitoring_required
def message_list(request):
    """The messages behind one number of the page: as many rows as the number said."""
    return _list_page(request, *_drill(request))


@require_GET
@monitoring_required
def message_export(request):
    """The same list as a workbook."""
    subject, period, flt, errors, qs = _drill(request)
    if errors:
        return _list_page(request, subject, period, flt, errors, qs)
    title = " — ".join([_("Tin đã gửi"), *flt.describe(), subject.label, period.label])
    data = message_reports.messages_xlsx(
        title=title, messages=messages.rows(qs).order_by("created_at", "pk")
    )
    return _xlsx(data, f"tin-da-gui-{_stamp(period)}.xlsx")
