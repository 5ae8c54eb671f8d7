"""The staff's queue of citizens' feedback: read it and answer it, within one's agencies."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from motcua.dossiers.errors import InvalidInput, NotAllowed
from motcua.org import permissions
from motcua.portal.models import Feedback
from motcua.portal.permissions import ANSWER_FEEDBACK
from motcua.portal.services import feedback_answer

from .views import staff_required


def answerable(user):
    """Feedback addressed to the agencies where `user` answers it; feedback addressed to no
    agency goes to those who answer for the whole province."""
    agencies = permissions.reachable_agency_ids(user, ANSWER_FEEDBACK)
    qs = Feedback.objects.select_related("procedure", "agency", "answered_by")
    if agencies is None:
        return qs
    province = permissions.can(user, ANSWER_FEEDBACK, permissions.PROVINCE_WIDE)
    here = Q(agency_id__in=agencies)
    return qs.filter(here | Q(agency__isnull=True) if province else here)


@require_GET
@staff_required
def feedback_queue(request):
    state = request.GET.get("trang_thai", Feedback.State.NEW)
    if state not in Feedback.State.values:
        state = Feedback.State.NEW
    qs = answerable(request.user)
    counts = {s: qs.filter(state=s).count() for s in Feedback.State.values}
    page = Paginator(qs.filter(state=state), 25).get_page(request.GET.get("trang"))
    return render(
        request,
        "backoffice/feedback_queue.html",
        {"page": page, "state": state, "counts": counts, "states": Feedback.State.choices},
    )


@require_http_methods(["GET", "POST"])
@staff_required
def feedback_item(request, pk: int):
    item = answerable(request.user).filter(pk=pk).first()
    if item is None:
        raise Http404
    error = ""
    if request.method == "POST":
        try:
            feedback_answer(
                actor=request.user, feedback=item, answer=request.POST.get("answer", "")
            )
        except InvalidInput as exc:
            error = " ".join(t for texts in exc.fields.values() for t in texts)
        except (NotAllowed, PermissionDenied) as exc:
            error = getattr(exc, "message", None) or str(exc)
        else:
            messages.success(
                request,
                _("Đã trả lời. Câu trả lời được công khai.")
                if item.allow_publish
                else _("Đã trả lời người gửi (không công khai theo yêu cầu của họ)."),
            )
            return redirect("backoffice:feedback_queue")
    return render(
        request,
        "backoffice/feedback_item.html",
        {"item": item, "error": error, "answer": request.POST.get("answer", "")},
        status=400 if error else 200,
    )
