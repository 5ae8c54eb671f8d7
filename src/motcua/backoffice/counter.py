"""The one-stop counter: choose a procedure by typing, find the applicant, tick and scan the
components, see the fee, and receive (Form 01), ask for completion (02) or refuse (03)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from motcua.catalog.models import Procedure
from motcua.catalog.selectors import procedure_list
from motcua.dossiers import services
from motcua.dossiers.errors import InvalidInput
from motcua.dossiers.permissions import ACTION_PERMISSIONS, VIEW_PERSONAL
from motcua.dossiers.selectors import visible_dossiers
from motcua.org.models import Agency, Role
from motcua.org.permissions import can
from motcua.org.selectors import active_assignments
from motcua.privacy import access
from motcua.privacy.models import Purpose

from .forms import CounterForm
from .views import staff_required


def _counter_agencies(user) -> list[Agency]:
    agencies = [
        a.agency
        for a in active_assignments(user)
        if a.role == Role.RECEPTION_OFFICER and a.agency_id
    ]
    if not agencies and user.is_superuser:
        agencies = list(Agency.objects.filter(procedures__isnull=False).distinct()[:50])
    return agencies


def _agency(request) -> Agency:
    agencies = _counter_agencies(request.user)
    if not agencies:
        raise PermissionDenied(_("Bạn không phải cán bộ tiếp nhận của cơ quan nào."))
    chosen = request.POST.get("agency") or request.GET.get("agency")
    return next((a for a in agencies if a.code == chosen), agencies[0])


def _procedure(agency: Agency, code: str) -> Procedure | None:
    return Procedure.objects.filter(national_code=code, is_active=True, agencies=agency).first()


@require_http_methods(["GET", "POST"])
@staff_required
def counter(request):
    agency = _agency(request)
    form = CounterForm(request.POST or None)
    procedure = None
    if request.method == "POST" and form.is_valid():
        procedure = _procedure(agency, form.cleaned_data["procedure"])
        if procedure is None:
            form.add_error(
                "procedure", _("Chọn một thủ tục mà %(a)s giải quyết.") % {"a": agency.name}
            )
        else:
            try:
                return _decide(request, form, agency, procedure)
            except InvalidInput as exc:
                for field, errors in exc.fields.items():
                    name = field.split(".")[-1]
                    form.add_error(name if name in form.fields else None, errors)
    elif request.method == "POST":
        procedure = _procedure(agency, request.POST.get("procedure", ""))
    if request.method == "POST":
        messages.error(request, _("Chưa tiếp nhận: vui lòng kiểm tra lại các ô được đánh dấu."))
    return render(
        request,
        "backoffice/counter.html",
        {
            "form": form,
            "agency": agency,
            "agencies": _counter_agencies(request.user),
            "procedure": procedure,
        },
        status=400 if request.method == "POST" else 200,
    )


def _decide(request, form, agency, procedure):
    data = form.cleaned_data
    applicant = {k: data[k] for k in ("name", "id_number", "phone", "email", "address")}
    applicant["kind"] = data["applicant_kind"]
    applicant["notify_by"] = data["notify_by"] or None  # none ticked: every contact given
    decision = request.POST.get("decision", "receive")
    if decision == "incomplete":
        result = services.dossier_turn_away_at_counter(
            actor=request.user,
            procedure=procedure,
            agency=agency,
            applicant=applicant,
            missing_items=data["missing_items"].splitlines() or None,
            summary=data["summary"],
        )
        messages.info(request, _("Đã lập phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02)."))
        return redirect(f"{_page(result.dossier)}?in=02")
    if decision == "refuse":
        result = services.dossier_turn_away_at_counter(
            actor=request.user,
            procedure=procedure,
            agency=agency,
            applicant=applicant,
            reasons=data["reasons"] or "",
            summary=data["summary"],
        )
        messages.info(request, _("Đã lập phiếu từ chối tiếp nhận (Mẫu 03)."))
        return redirect(f"{_page(result.dossier)}?in=03")
    components = {c.pk: c for c in procedure.components.all()}
    files, checklist = [], {}
    for component_id in components:
        files += [(component_id, f) for f in request.FILES.getlist(f"file_{component_id}")]
        ticks = request.POST.getlist(f"have_{component_id}")
        if ticks:
            checklist[str(component_id)] = sorted(t for t in ticks if t in ("original", "copy"))
    result = services.dossier_receive_at_counter(
        actor=request.user,
        procedure=procedure,
        agency=agency,
        applicant=applicant,
        channel=data["channel"],
        delivery=data["delivery"],
        delivery_address=data["delivery_address"],
        quantity=data["quantity"],
        summary=data["summary"],
        files=files,
        checklist=checklist,
    )
    dossier = result.dossier
    messages.success(request, _("Đã tiếp nhận hồ sơ %(c)s.") % {"c": dossier.code})
    return redirect(f"{_page(dossier)}?in=01")


def _page(dossier) -> str:
    return reverse("backoffice:dossier", kwargs={"key": dossier.code or str(dossier.reference)})


@require_GET
@staff_required
def procedure_search(request):
    """Procedures this counter handles, matched without diacritics, best first."""
    agency = _agency(request)
    query = request.GET.get("q", "")[:100]
    found = procedure_list(query=query).filter(agencies=agency)[:12]
    return JsonResponse(
        {
            "results": [
                {"code": p.national_code, "name": p.name, "time": p.processing_time_label()}
                for p in found
            ]
        }
    )


@require_GET
@staff_required
def procedure_checklist(request):
    agency = _agency(request)
    procedure = _procedure(agency, request.GET.get("code", ""))
    if procedure is None:
        return JsonResponse({"detail": _("Không có thủ tục này tại quầy.")}, status=404)
    quantity = _quantity(request.GET.get("so_luong"))
    return render(
        request,
        "backoffice/_checklist.html",
        {
            "procedure": procedure,
            "fee": sum(f.compute(quantity) for f in procedure.fees.all()),
            "quantity": quantity,
        },
    )


@require_GET
@staff_required
def applicant_lookup(request):
    """The applicant's details from his latest dossier at this officer's agencies."""
    number = "".join(ch for ch in request.GET.get("so", "") if ch.isdigit())[:13]
    if not can(request.user, ACTION_PERMISSIONS["receive"]) or len(number) < 9:
        return JsonResponse({"found": False})
    dossier = (
        visible_dossiers(request.user, VIEW_PERSONAL)
        .filter(applicant_id_number=number)
        .order_by("-created_at")
        .first()
    )
    if dossier is None:
        return JsonResponse({"found": False})
    access.record_read(request, purpose=Purpose.COUNTER_LOOKUP, dossier=dossier)
    return JsonResponse(
        {
            "found": True,
            "applicant": {
                "kind": dossier.applicant_kind,
                "name": dossier.applicant_name,
                "phone": dossier.applicant_phone,
                "email": dossier.applicant_email,
                "address": dossier.applicant_address,
            },
        }
    )


def _quantity(value) -> int:
    try:
        return max(1, min(int(value), 10000))
    except (TypeError, ValueError):
        return 1
