"""A citizen's own dossiers: start one online, fill in the draft and upload its files, review
and submit, then follow it, answer a supplement request, withdraw it, download the electronic
result and rate the service."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.catalog import selectors as catalog
from motcua.catalog.models import OnlineLevel
from motcua.core import downloads
from motcua.dossiers import services as dossier_services
from motcua.dossiers.errors import Conflict, InvalidInput, NotAllowed
from motcua.dossiers.lifecycle import BY_ACTION, State
from motcua.dossiers.models import Delivery, DossierFile
from motcua.dossiers.selectors import public_timeline
from motcua.dossiers.services import online
from motcua.dossiers.services.core import may_act
from motcua.payments import services as payments
from motcua.payments.gateways import active_gateway
from motcua.payments.selectors import settled_payments

from . import selectors, services
from .accounts import _apply_errors, citizen_required
from .forms import DraftForm, ReasonForm
from .models import Rating, RatingCriterion, RatingLevel

PAGE_SIZE = 20


def _fail(request, exc) -> None:
    if isinstance(exc, InvalidInput):
        for texts in exc.fields.values():
            for text in texts:
                messages.error(request, text)
    else:
        messages.error(request, getattr(exc, "message", None) or str(exc))


# --- starting and filling in a draft -------------------------------------------------------


@citizen_required
@require_http_methods(["GET", "POST"])
def start(request, code: str):
    """Choose where to submit (when several agencies handle the procedure), then a draft."""
    procedure = catalog.procedure_detail(code)
    if procedure is None:
        raise Http404
    if procedure.online_level == OnlineLevel.INFO:
        messages.error(request, _("Thủ tục này chưa nhận hồ sơ trực tuyến."))
        return redirect("portal:procedure_detail", code=code)
    agencies = list(procedure.agencies.select_related("unit").order_by("unit__tier", "name"))
    chosen = None
    if len(agencies) == 1:
        chosen = agencies[0]
    elif request.method == "POST":
        chosen = next((a for a in agencies if str(a.pk) == request.POST.get("agency")), None)
        if chosen is None:
            messages.error(request, _("Chọn nơi nộp hồ sơ."))
    if chosen is not None and (request.method == "POST" or len(agencies) == 1):
        try:
            draft = dossier_services.dossier_create_draft(
                owner=request.user,
                procedure=procedure,
                agency=chosen,
                applicant=services.applicant_from_account(request.user),
                delivery=online.delivery_choices(procedure)[0],
            )
        except InvalidInput as exc:
            # The account lacks what a dossier needs (a name): complete the profile first.
            _fail(request, exc)
            return redirect(f"{reverse('portal:profile')}?next={request.path}")
        return redirect("portal:draft", reference=draft.reference)
    return render(
        request, "portal/submit/start.html", {"procedure": procedure, "agencies": agencies}
    )


def _components(dossier):
    """Each component of the procedure with its files."""
    files = _input_files(dossier)
    return [(c, files.get(c.pk, [])) for c in dossier.procedure.components.all()]


def _input_files(dossier) -> dict:
    files = {}
    for f in dossier.files.filter(purpose=DossierFile.Purpose.INPUT).order_by("pk"):
        files.setdefault(f.component_id, []).append(f)
    return files


def _other_files(dossier) -> list:
    """Files of the dossier under no component of its procedure: sent without choosing the
    document type, or whose component the catalog has since removed. Still the applicant's."""
    known = set(dossier.procedure.components.values_list("pk", flat=True))
    files = _input_files(dossier)
    return [f for key, group in files.items() if key not in known for f in group]


def _last_request(dossier):
    """The agency's latest request for more (completion before reception, or supplement)."""
    return (
        dossier.events.filter(action__in=("request_supplement", "request_completion"))
        .order_by("-seq")
        .first()
    )


def _own(request, reference):
    return selectors.my_dossier(request.user, reference)


@citizen_required
@require_http_methods(["GET", "POST"])
def draft(request, reference):
    dossier = _own(request, reference)
    if dossier.state != State.DRAFT:
        return redirect("portal:my_dossier", reference=reference)
    choices = [(d, Delivery(d).label) for d in online.delivery_choices(dossier.procedure)]
    initial = {
        "applicant_name": dossier.applicant_name,
        "applicant_id_number": dossier.applicant_id_number,
        "applicant_phone": dossier.applicant_phone,
        "applicant_email": dossier.applicant_email,
        "applicant_address": dossier.applicant_address,
        "applicant_notify_by": dossier.notify_by,
        "summary": dossier.summary,
        "delivery": dossier.delivery,
        "delivery_address": dossier.delivery_address,
    }
    form = DraftForm(request.POST or None, initial=initial, choices=choices)
    if request.method == "POST":
        try:
            online.dossier_update_draft(owner=request.user, dossier=dossier, **form.service_input())
        except InvalidInput as exc:
            form.is_valid()
            _apply_errors(
                form, {k.replace("applicant.", "applicant_"): v for k, v in exc.fields.items()}
            )
        except (NotAllowed, PermissionDenied) as exc:
            _fail(request, exc)
            return redirect("portal:my_dossier", reference=reference)
        else:
            if "review" in request.POST:
                return redirect("portal:review", reference=reference)
            messages.success(request, _("Đã lưu nháp. Bạn có thể quay lại hoàn thiện sau."))
            return redirect("portal:draft", reference=reference)
    last_request = _last_request(dossier)
    return render(
        request,
        "portal/submit/draft.html",
        {
            "dossier": dossier,
            "form": form,
            "components": _components(dossier),
            "other_files": _other_files(dossier),
            "missing": last_request.data.get("missing_items", []) if last_request else [],
            "request_note": last_request.note if last_request else "",
        },
    )


@citizen_required
@require_POST
def upload(request, reference):
    """One component's files, stored at once. Answers JSON to the page's script (which shows
    progress and retries) and redirects back to the draft without it."""
    dossier = _own(request, reference)
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    try:
        component_id = int(request.POST.get("component", ""))
    except ValueError:
        component_id = None
    uploads = request.FILES.getlist("files")
    try:
        stored = online.dossier_attach_files(
            owner=request.user, dossier=dossier, component_id=component_id, uploads=uploads
        )
    except (InvalidInput, NotAllowed, PermissionDenied) as exc:
        if wants_json:
            texts = (
                [t for v in exc.fields.values() for t in v]
                if isinstance(exc, InvalidInput)
                else [getattr(exc, "message", None) or str(exc)]
            )
            return JsonResponse({"errors": texts}, status=400)
        _fail(request, exc)
    else:
        if wants_json:
            return JsonResponse(
                {"files": [{"id": f.pk, "name": f.original_name, "size": f.size} for f in stored]}
            )
        messages.success(request, _("Đã tải lên %(n)s tệp.") % {"n": len(stored)})
    anchor = f"thanh-phan-{component_id}" if component_id else "giay-to-khac"
    return redirect(f"{reverse('portal:draft', args=[reference])}#{anchor}")


@citizen_required
@require_POST
def remove_file(request, reference, file_id: int):
    dossier = _own(request, reference)
    try:
        online.dossier_detach_file(owner=request.user, dossier=dossier, file_id=file_id)
    except (InvalidInput, NotAllowed, PermissionDenied) as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Đã gỡ tệp."))
    return redirect("portal:draft", reference=reference)


@citizen_required
@require_http_methods(["GET", "POST"])
def review(request, reference):
    dossier = _own(request, reference)
    if dossier.state != State.DRAFT:
        return redirect("portal:my_dossier", reference=reference)
    if request.method == "POST":
        try:
            online.dossier_submit_online(
                owner=request.user,
                dossier=dossier,
                expected_version=_version(request),
            )
        except (InvalidInput, NotAllowed, Conflict, PermissionDenied) as exc:
            _fail(request, exc)
            return redirect("portal:review", reference=reference)
        return redirect("portal:submitted", reference=reference)
    fees = [(fee, fee.compute(dossier.quantity)) for fee in dossier.procedure.fees.all()]
    return render(
        request,
        "portal/submit/review.html",
        {
            "dossier": dossier,
            "components": _components(dossier),
            "other_files": _other_files(dossier),
            "problems": online.missing_for_submission(dossier),
            "fees": fees,
            # A procedure whose fees all come to nothing is free: nothing will be announced.
            "fee_total": sum(amount for _fee, amount in fees),
        },
    )


def _version(request) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


@citizen_required
@require_GET
def submitted(request, reference):
    dossier = _own(request, reference)
    if dossier.state == State.DRAFT:
        return redirect("portal:draft", reference=reference)
    return render(request, "portal/submit/submitted.html", {"dossier": dossier})


# --- following one's dossiers --------------------------------------------------------------


@citizen_required
@require_GET
def my_dossiers(request):
    page = Paginator(selectors.my_dossiers(request.user), PAGE_SIZE).get_page(
        request.GET.get("trang")
    )
    return render(request, "portal/mine/list.html", {"page": page})


def _may(user, action: str, dossier) -> bool:
    t = BY_ACTION[action]
    return dossier.state in t.sources and may_act(user, t, dossier)


@citizen_required
@require_GET
def my_dossier(request, reference):
    dossier = _own(request, reference)
    last_request = _last_request(dossier)
    gateway = active_gateway()
    rating = (
        Rating.objects.filter(dossier=dossier)
        .prefetch_related("answers__criterion", "answers__level")
        .first()
    )
    return render(
        request,
        "portal/mine/detail.html",
        {
            "dossier": dossier,
            "timeline": public_timeline(dossier),
            "components": _components(dossier),
            "other_files": _other_files(dossier),
            "supplements": dossier.files.filter(purpose=DossierFile.Purpose.SUPPLEMENT),
            "results": selectors.result_files(dossier),
            "missing": (last_request.data.get("missing_items", []) if last_request else []),
            "request_note": last_request.note if last_request else "",
            "may_supplement": _may(request.user, "receive_supplement", dossier),
            "may_withdraw": _may(request.user, "withdraw", dossier),
            "may_rate": dossier.state in services.RATEABLE and rating is None,
            "rating": rating,
            "withdraw_form": ReasonForm(),
            "payments": settled_payments(dossier),
            "outstanding": payments.outstanding(dossier),
            "pay_online": gateway is not None and payments.may_pay(dossier),
            "gateway_label": gateway.label if gateway else "",
        },
    )


def _act(request, dossier, action: str, done: str, **params):
    """One lifecycle action by the applicant, its outcome told on the dossier's page."""
    try:
        dossier_services.perform(
            action,
            actor=request.user,
            dossier=dossier,
            expected_version=_version(request),
            **params,
        )
    except (InvalidInput, NotAllowed, Conflict, PermissionDenied) as exc:
        _fail(request, exc)
    else:
        messages.success(request, done)
    return redirect("portal:my_dossier", reference=dossier.reference)


@citizen_required
@require_POST
def supplement(request, reference):
    """Upload what the agency asked for; the dossier goes back to processing (its clock runs
    again, as the supplement rule says)."""
    dossier = _own(request, reference)
    uploads = request.FILES.getlist("files")
    if not uploads:
        messages.error(request, _("Chọn tệp giấy tờ bổ sung để tải lên."))
        return redirect("portal:my_dossier", reference=reference)
    note = request.POST.get("note", "")[:1000]
    done = _("Đã gửi hồ sơ bổ sung. Cơ quan tiếp tục giải quyết.")
    return _act(request, dossier, "receive_supplement", done, files=uploads, note=note)


@citizen_required
@require_POST
def withdraw(request, reference):
    dossier = _own(request, reference)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Nêu lý do rút hồ sơ."))
        return redirect("portal:my_dossier", reference=reference)
    reasons = form.cleaned_data["reasons"]
    return _act(request, dossier, "withdraw", _("Đã rút hồ sơ."), reasons=reasons)


def _own_files(dossier):
    """What the applicant may download: every file they sent (with or without a component,
    in the first submission or a supplement), and the result once it may reach them."""
    sent = dossier.files.filter(
        purpose__in=[DossierFile.Purpose.INPUT, DossierFile.Purpose.SUPPLEMENT]
    )
    results = [f.pk for f in selectors.result_files(dossier)]
    return sent | dossier.files.filter(pk__in=results)


@citizen_required
@require_GET
def my_file(request, reference, file_id: int):
    """A file of one's own dossier: what was submitted, or the electronic result."""
    stored = _own_files(_own(request, reference)).filter(pk=file_id).first()
    if stored is None:
        raise Http404
    return downloads.file_response(
        stored.file, filename=stored.original_name, content_type=stored.content_type
    )


# --- rating --------------------------------------------------------------------------------


def rating_context(data=None):
    return {
        "criteria": list(RatingCriterion.objects.filter(is_active=True)),
        "levels": list(RatingLevel.objects.all()),
        "chosen": {k[2:]: v for k, v in (data or {}).items() if k.startswith("c_")},
        "comment": (data or {}).get("comment", ""),
    }


@citizen_required
@require_http_methods(["GET", "POST"])
def rate(request, reference):
    dossier = _own(request, reference)
    errors = {}
    if request.method == "POST":
        answers = {k[2:]: v for k, v in request.POST.items() if k.startswith("c_")}
        try:
            services.rate_dossier(
                dossier=dossier,
                answers=answers,
                comment=request.POST.get("comment", ""),
                by=request.user,
                via=Rating.Via.ACCOUNT,
            )
        except InvalidInput as exc:
            errors = exc.fields
        except NotAllowed as exc:
            _fail(request, exc)
            return redirect("portal:my_dossier", reference=reference)
        else:
            messages.success(request, _("Cảm ơn bạn đã đánh giá."))
            return redirect("portal:my_dossier", reference=reference)
    return render(
        request,
        "portal/mine/rate.html",
        {"dossier": dossier, "errors": errors, **rating_context(request.POST or None)},
        status=400 if errors else 200,
    )
