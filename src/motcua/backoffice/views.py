"""Staff screens: home with queue counts, the queues, the dossier page and its actions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from motcua.catalog.models import Procedure
from motcua.core import downloads
from motcua.core.paging import CappedPaginator
from motcua.core.templatetags.humanize_vn import dong
from motcua.dossiers import deadlines, forms_pdf, ownership, services
from motcua.dossiers.errors import Conflict, InvalidInput, NotAllowed
from motcua.dossiers.lifecycle import BY_ACTION, State, actions_from
from motcua.dossiers.models import Delivery, Dossier, DossierFile
from motcua.dossiers.permissions import ACTION_PERMISSIONS, VIEW
from motcua.dossiers.selectors import control_sheet, find_visible, may_view_personal
from motcua.dossiers.services.core import offered
from motcua.dossiers.services.steps import next_step
from motcua.notify.permissions import HOTLINE_SEARCH
from motcua.org import permissions
from motcua.org.models import Agency, Division, Role, User
from motcua.org.selectors import active_assignments
from motcua.payments import services as payments
from motcua.payments.forms import CounterPaymentForm
from motcua.payments.selectors import settled_payments
from motcua.payments.views import confirmation_response
from motcua.privacy import access
from motcua.privacy.models import Purpose
from motcua.privacy.permissions import REVIEW_ACCESS, SUBJECT_EXPORT

from . import queues
from .forms import SORTS, ActionForm, Candidates, HandoverForm, QueueFilterForm

PAGE_SIZE = 25


def staff_required(view):
    @login_required
    def wrapper(request, *args, **kwargs):
        permissions.require(request.user, permissions.VIEW_STAFF_SITE)
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


@require_GET
@staff_required
def home(request):
    sizes = queues.counts(request.user)
    tiles = [(q, sizes.get(q.slug)) for q in queues.home_queues(request.user)]
    return render(
        request,
        "backoffice/home.html",
        {
            "owned_tiles": [(q, n) for q, n in tiles if q.owned],
            "tiles": [(q, n) for q, n in tiles if not q.owned],
            "assignments": active_assignments(request.user),
            "may_receive": permissions.can(request.user, ACTION_PERMISSIONS["receive"]),
            "may_manage_catalog": permissions.can(request.user, permissions.MANAGE_CATALOG),
            "may_manage_org": permissions.can(request.user, permissions.MANAGE_ORG),
            "may_review_access": permissions.can(request.user, REVIEW_ACCESS),
            "may_subject_export": permissions.can(request.user, SUBJECT_EXPORT),
            "may_hotline": permissions.can(request.user, HOTLINE_SEARCH),
        },
    )


def _queue_rows(request, slug: str):
    """A queue's dossiers as filtered and sorted on screen: (queue, form, ordered queryset)."""
    current = queues.BY_SLUG.get(slug)
    if current is None:
        raise Http404
    form = QueueFilterForm(request.GET)
    qs = queues.queue(request.user, slug)
    if form.is_valid():
        qs = _filter(qs, form.cleaned_data)
    order = SORTS.get(form.cleaned_data.get("sap_xep") if form.is_valid() else "", SORTS["han"])[0]
    return current, form, qs.order_by(*queues.ordering(slug, order))


@require_GET
@staff_required
def queue(request, slug: str):
    current, form, qs = _queue_rows(request, slug)
    # The procedure comes in a second query for the page's rows, not a join: joined, SQLite
    # starts from the catalog and sorts a whole field's history to show one page.
    qs = qs.select_related("current_agency", "assignee").prefetch_related("procedure")
    paginator = CappedPaginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("trang"))
    now = timezone.now()
    rows = [(d, deadlines.dossier_timeliness(d, now=now)) for d in page.object_list]
    query = request.GET.copy()
    query.pop("trang", None)
    return render(
        request,
        "backoffice/queue.html",
        {
            "queue": current,
            "queues": queues.home_queues(request.user),
            "form": form,
            "page": page,
            "rows": rows,
            "querystring": query.urlencode(),
        },
    )


EXPORT_LIMIT = 50_000


@require_GET
@staff_required
def queue_export(request, slug: str):
    """The queue as filtered on screen, as a spreadsheet (the first 50,000 in its order)."""
    from motcua.monitoring.reports import dossier_list_xlsx

    current, _form, qs = _queue_rows(request, slug)
    rows = qs.select_related("procedure", "receiving_agency")[:EXPORT_LIMIT]
    title = f"{current.label} — {timezone.localtime():%d/%m/%Y %H:%M}"
    return downloads.bytes_response(
        dossier_list_xlsx(title=title, dossiers=access.exported_rows(request, rows)),
        filename=f"hang-cho-{slug}.xlsx",
        content_type=downloads.XLSX,
    )


def _filter(qs, data):
    if data.get("q"):
        text = data["q"].strip()
        qs = qs.filter(Q(code__icontains=text) | Q(applicant_name__icontains=text))
    if data.get("thu_tuc"):
        qs = qs.filter(procedure__national_code=data["thu_tuc"].strip())
    if data.get("linh_vuc"):
        # The field's procedures as a list of ids, not a join: the database then reads the
        # queue's sort index in order and stops at the page, instead of sorting the field's
        # whole history (a field holds a third of all dossiers).
        ids = list(Procedure.objects.filter(field=data["linh_vuc"]).values_list("id", flat=True))
        qs = qs.filter(procedure_id__in=ids)
    if data.get("trang_thai"):
        qs = qs.filter(state=data["trang_thai"])
    if data.get("han_tu"):
        qs = qs.filter(due_at__date__gte=data["han_tu"])
    if data.get("han_den"):
        qs = qs.filter(due_at__date__lte=data["han_den"])
    return qs


def _dossier(request, key: str) -> Dossier:
    """A dossier whose progress the officer may follow, by code or (before reception) by
    reference; its personal data is for those with `dossier.view_personal` (see _personal)."""
    qs = queues.base(request.user).select_related(
        "procedure",
        "procedure__field",
        "receiving_agency",
        "current_agency",
        "assignee",
        "receiving_unit",
    )
    found = find_visible(request.user, key, qs)
    if found is None:
        raise Http404
    return found


def _assignees(request, dossier, action: str, step):
    """Whom an action may give the dossier to, with role and load (ActionForm's choices):
    for a hand-over, the next step's people but the sender; for an assignment, the current
    step's. None when the action names nobody."""
    if action == "forward":
        plan = next_step(dossier)
        if plan is None:
            return None
        people = ownership.pool_members(plan.agency.pk, plan.role, plan.division_code)
        return Candidates(people.exclude(pk=request.user.pk), plan)
    if action == "assign" and step is not None:
        return Candidates(ownership.pool_members(step.agency_id, step.role, step.division_code))
    return None


def _holder(dossier, step) -> str:
    """Whose move it is, in a line: the person holding the step, or the pool it waits in."""
    owner = ownership.owner_of(dossier, step)
    if owner is None:
        return ""
    if owner.is_person:
        return _("Người xử lý: %(u)s — bước “%(s)s”") % {"u": step.assignee, "s": step.name}
    agency = Agency.objects.filter(pk=owner.agency_id).values_list("name", flat=True).first()
    if owner.queue == ownership.POOL:
        division = (
            Division.objects.filter(agency_id=owner.agency_id, code=owner.division_code)
            .values_list("name", flat=True)
            .first()
        )
        who = division or Role(owner.role).label
        return _("Chờ nhận việc: %(who)s, %(a)s — bước “%(s)s”") % {
            "who": who,
            "a": agency,
            "s": step.name,
        }
    return _("Chờ bộ phận một cửa, %(a)s") % {"a": agency}


def _action_forms(request, dossier, bound=None, step=None):
    step = step or ownership.open_step(dossier)
    agencies = (
        Agency.objects.filter(valid_to__isnull=True)
        .exclude(pk=dossier.current_agency_id)
        .order_by("unit__tier", "name")
    )
    result = []
    for t in actions_from(dossier.state):
        if not offered(request.user, t, dossier, step):
            continue
        if bound is not None and bound[0] == t.action:
            form = bound[1]
        else:
            form = ActionForm(
                action=t.action,
                candidates=_assignees(request, dossier, t.action, step),
                agencies=agencies,
                initial={"version": dossier.version},
                prefix=t.action,
            )
        result.append((t, form))
    return result


@require_GET
@staff_required
def dossier_page(request, key: str):
    dossier = _dossier(request, key)
    return _render_dossier(request, dossier)


def _works_here(user, dossier) -> bool:
    """False when the dossier has moved on to another agency: the sender keeps reading it."""
    reachable = permissions.reachable_agency_ids(user, VIEW)
    return reachable is None or dossier.current_agency_id in reachable


def _personal(request, dossier, purpose: str) -> None:
    """Refuse the applicant's data to whoever only follows progress, and record the read."""
    access.require_personal(request.user, dossier)
    access.record_read(request, purpose=purpose, dossier=dossier)


def _render_dossier(request, dossier, bound=None, status=200, fee_form=None):
    now = timezone.now()
    personal = may_view_personal(request.user, dossier)
    if personal:
        access.record_read(request, purpose=Purpose.DOSSIER_PAGE, dossier=dossier)
    if fee_form is None and payments.may_record_at_counter(request.user, dossier):
        fee_form = CounterPaymentForm(
            initial={"version": dossier.version, "amount": payments.outstanding(dossier)}
        )
    steps = list(dossier.steps.select_related("agency", "assignee").order_by("order"))
    open_step = next((s for s in reversed(steps) if s.finished_at is None), None)
    context = {
        "dossier": dossier,
        "timeliness": deadlines.dossier_timeliness(dossier, now=now),
        "steps": [(s, deadlines.step_timeliness(s, now=now)) for s in steps],
        "events": access.masked_events(control_sheet(dossier), personal),
        "personal": personal,
        "files": dossier.files.select_related("component").order_by("purpose", "uploaded_at")
        if personal
        else [],
        "explanation": deadlines.explain_due(dossier),
        "actions": _action_forms(request, dossier, bound, open_step),
        "holder": _holder(dossier, open_step),
        "sent_messages": dossier.messages.order_by("-created_at")[:50] if personal else [],
        "forms": forms_pdf.available_forms(dossier) if personal else [],
        "read_only": not _works_here(request.user, dossier),
        "key": dossier.code or str(dossier.reference),
        "payments": settled_payments(dossier),
        "outstanding": payments.outstanding(dossier),
        "fee_form": fee_form,
        "staff_side": True,
    }
    if personal:
        from .results import result_panel

        context["result"] = result_panel(request, dossier)
    return render(request, "backoffice/dossier.html", context, status=status)


@require_POST
@staff_required
def dossier_action(request, key: str, action: str):
    dossier = _dossier(request, key)
    transition = next((t for t in actions_from(dossier.state) if t.action == action), None)
    # Any active officer is a valid choice for the form; the service checks he belongs to
    # the step (the list on screen offers only those who do).
    staff = User.objects.filter(is_active=True, is_staff=True)
    agencies = Agency.objects.filter(valid_to__isnull=True)
    form = (
        ActionForm(
            request.POST,
            request.FILES,
            action=action,
            staff=staff,
            agencies=agencies,
            prefix=action,
        )
        if action in BY_ACTION
        else None
    )
    if form is None:
        raise Http404
    if transition is None:
        messages.error(
            request,
            _("Thao tác này không còn thực hiện được: hồ sơ đã ở trạng thái “%(s)s”.")
            % {"s": State(dossier.state).label},
        )
        return redirect("backoffice:dossier", key=key)
    if not form.is_valid():
        messages.error(request, _("Vui lòng kiểm tra lại các ô được đánh dấu."))
        return _render_dossier(request, dossier, bound=(action, form), status=400)
    try:
        result = services.perform(
            action, actor=request.user, dossier=dossier, **form.service_params()
        )
    except (Conflict, NotAllowed) as exc:
        messages.error(request, exc.message)
        dossier.refresh_from_db()
        return _render_dossier(request, dossier, bound=(action, form), status=409)
    except InvalidInput as exc:
        for field, errors in exc.fields.items():
            form.add_error(field if field in form.fields else None, errors)
        return _render_dossier(request, dossier, bound=(action, form), status=400)
    for warning in result.warnings:
        messages.warning(request, warning)
    messages.success(request, _("Đã thực hiện: %(a)s.") % {"a": transition.label})
    target = result.dossier.code or str(result.dossier.reference)
    if queues.base(request.user).filter(pk=result.dossier.pk).exists():
        return redirect("backoffice:dossier", key=target)
    return redirect("backoffice:home")


@require_GET
@staff_required
def dossier_file(request, key: str, file_id: int):
    dossier = _dossier(request, key)
    record = get_object_or_404(DossierFile, pk=file_id, dossier=dossier)
    access.file_read(request, dossier, record)
    return downloads.file_response(
        record.file, filename=record.original_name, content_type=record.content_type
    )


@require_GET
@staff_required
def dossier_form(request, key: str, number: str):
    dossier = _dossier(request, key)
    _personal(request, dossier, Purpose.FORM)
    try:
        if number == "07":
            day = timezone.localtime(dossier.received_at or timezone.now()).date()
            pdf = forms_pdf.render_register(dossier.receiving_agency, day, day)
        elif number == "giai-trinh":
            pdf = forms_pdf.render_due_explanation(dossier)
        else:
            pdf = forms_pdf.render_form(number, dossier)
    except LookupError as exc:
        messages.error(request, str(exc))
        return redirect("backoffice:dossier", key=key)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{dossier.display_code}-{number}.pdf"'
    return response


@require_GET
@staff_required
def handover_list(request):
    """Results to hand over on a day, by post (the list the postal worker signs) or at the
    counter (what each applicant signs on collecting): printable."""
    form = HandoverForm(request.GET or None)
    day = timezone.localdate()
    delivery = Delivery.POST
    if form.is_valid():
        day = form.cleaned_data["ngay"] or day
        delivery = form.cleaned_data["hinh_thuc"] or delivery
    agencies = permissions.reachable_agency_ids(request.user, ACTION_PERMISSIONS["return_result"])
    qs = Dossier.objects.filter(delivery=delivery).filter(
        Q(state=State.RESULT_READY, result_ready_at__date__lte=day)
        | Q(state=State.RETURNED, finished_at__date=day)
    )
    if agencies is not None:
        qs = qs.filter(receiving_agency_id__in=agencies)
    rows = qs.select_related("procedure", "receiving_agency").order_by("receiving_agency", "code")
    return render(
        request,
        "backoffice/handover.html",
        {
            "form": form,
            "day": day,
            "delivery": Delivery(delivery),
            "rows": rows,
        },
    )


@require_POST
@staff_required
def dossier_fee(request, key: str):
    """The counter collected (part of) the fee: cash, or a transfer or card at the counter."""
    dossier = _dossier(request, key)
    form = CounterPaymentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Vui lòng kiểm tra lại các ô được đánh dấu."))
        return _render_dossier(request, dossier, status=400, fee_form=form)
    data = form.cleaned_data
    try:
        payment = payments.payment_record_at_counter(
            actor=request.user,
            dossier=dossier,
            amount=data["amount"],
            method=data["method"],
            receipt_number=data["receipt_number"],
            expected_version=data["version"],
        )
    except (Conflict, NotAllowed) as exc:
        messages.error(request, exc.message)
        return redirect("backoffice:dossier", key=key)
    except InvalidInput as exc:
        for field, errors in exc.fields.items():
            form.add_error(field if field in form.fields else None, errors)
        return _render_dossier(request, dossier, status=400, fee_form=form)
    messages.success(request, _("Đã ghi nhận thu %(n)s.") % {"n": dong(payment.amount)})
    return redirect("backoffice:dossier", key=key)


@require_GET
@staff_required
def dossier_fee_confirmation(request, key: str, payment_id: int):
    dossier = _dossier(request, key)
    _personal(request, dossier, Purpose.FORM)
    return confirmation_response(dossier, payment_id)
