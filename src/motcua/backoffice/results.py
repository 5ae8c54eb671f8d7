"""The electronic result on the staff side: attaching it, a leader signing it (one dossier
from its page, or many at once), and following a batch of signatures."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from motcua.core.paging import CappedPaginator
from motcua.dossiers.errors import Conflict, InvalidInput, NotAllowed
from motcua.dossiers.lifecycle import State
from motcua.dossiers.models import DossierFile, SigningBatch
from motcua.dossiers.services import results
from motcua.org.permissions import can

from . import queues
from .forms import MultipleFileField
from .views import _dossier, staff_required

PAGE_SIZE = 100


class AttachResultForm(forms.Form):
    files = MultipleFileField(label=gettext_lazy("Bản điện tử của kết quả (PDF để ký số)"))
    version = forms.IntegerField(widget=forms.HiddenInput)


def _back(dossier):
    return redirect("backoffice:dossier", key=dossier.code or str(dossier.reference))


@require_POST
@staff_required
def result_attach(request, key: str):
    dossier = _dossier(request, key)
    form = AttachResultForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Chọn tệp kết quả cần đính kèm."))
        return _back(dossier)
    try:
        stored = results.dossier_attach_result(
            actor=request.user,
            dossier=dossier,
            files=form.cleaned_data["files"],
            expected_version=form.cleaned_data["version"],
        )
    except (Conflict, NotAllowed) as exc:
        messages.error(request, exc.message)
    except InvalidInput as exc:
        for errors in exc.fields.values():
            for error in errors:
                messages.error(request, error)
    else:
        messages.success(request, _("Đã đính kèm %(n)s tệp kết quả.") % {"n": len(stored)})
    return _back(dossier)


@require_POST
@staff_required
def result_sign(request, key: str):
    """One click: with a key on the server the result is signed now; with a remote key the
    leader approves on his phone while the batch page waits."""
    from motcua.signing.models import KeyKind
    from motcua.signing.selectors import signing_identity_of_user

    dossier = _dossier(request, key)
    identity = signing_identity_of_user(request.user)
    try:
        if identity is not None and identity.kind == KeyKind.CSC:
            results.prepare_signing(request.user, dossier)
            batch = results.signing_batch_create(actor=request.user, dossiers=[dossier])
            return redirect("backoffice:signing_batch", pk=batch.pk)
        version = int(request.POST.get("version") or 0) or None
        outcome = results.dossier_sign_results(
            actor=request.user, dossier=dossier, expected_version=version
        )
    except (Conflict, NotAllowed) as exc:
        messages.error(request, exc.message)
        return _back(dossier)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
        return _back(dossier)
    if outcome.ok:
        messages.success(request, _("Đã ký số %(n)s tệp kết quả.") % {"n": len(outcome.signed)})
    else:
        messages.error(request, _("Không ký số được: %(e)s") % {"e": outcome.error})
    return _back(dossier)


def awaiting_signature(user):
    """The dossiers whose result waits for this leader's signature: being processed where he
    may sign, with a PDF of the result that carries no valid signature."""
    unsigned = DossierFile.objects.filter(
        dossier=OuterRef("pk"),
        purpose=DossierFile.Purpose.RESULT,
        content_type="application/pdf",
        superseded_by__isnull=True,
    ).exclude(signature_status="valid")
    visible = queues.base(user).filter(state=State.PROCESSING).filter(Exists(unsigned))
    return visible.select_related("procedure", "current_agency").order_by("-approved_at", "pk")


@require_http_methods(["GET", "POST"])
@staff_required
def signing_queue(request):
    """Ký số hàng loạt: the results waiting for the leader, to tick and sign in one go."""
    if not can(request.user, results.SIGN_RESULT):
        raise PermissionDenied
    waiting = awaiting_signature(request.user)
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("ho_so") if i.isdigit()]
        # Every ticked dossier he may see goes in: one that changed since the list was shown
        # gets its own outcome ("not signed: …") rather than vanishing from the batch.
        found = {d.pk: d for d in queues.base(request.user).filter(pk__in=ids)}
        chosen = [found[i] for i in dict.fromkeys(ids) if i in found]
        try:
            batch = results.signing_batch_create(actor=request.user, dossiers=chosen)
        except (InvalidInput, NotAllowed) as exc:
            messages.error(
                request,
                exc.message
                if isinstance(exc, NotAllowed)
                else _("Chọn ít nhất một hồ sơ để ký số."),
            )
            return redirect("backoffice:signing_queue")
        return redirect("backoffice:signing_batch", pk=batch.pk)
    page = CappedPaginator(waiting, PAGE_SIZE).get_page(request.GET.get("trang"))
    page.object_list = [d for d in page.object_list if results.may_sign(request.user, d)]
    return render(
        request,
        "backoffice/signing_queue.html",
        {"page": page, "batches": SigningBatch.objects.filter(actor=request.user)[:5]},
    )


@require_GET
@staff_required
def signing_batch(request, pk):
    """A batch's progress and each dossier's outcome; only its leader's to see."""
    batch = get_object_or_404(SigningBatch, pk=pk)
    if batch.actor_id != request.user.pk:
        raise Http404
    items = list(batch.items.select_related("dossier", "dossier__procedure"))
    done = sum(1 for i in items if i.status != i.Status.WAITING)
    return render(
        request,
        "backoffice/signing_batch.html",
        {
            "batch": batch,
            "items": items,
            "done": done,
            "signed": sum(1 for i in items if i.status == i.Status.SIGNED),
            "failed": sum(1 for i in items if i.status == i.Status.FAILED),
            "percent": round(100 * done / len(items)) if items else 100,
            "finished": batch.status == SigningBatch.Status.DONE,
        },
    )


def result_panel(request, dossier) -> dict | None:
    """What the dossier page shows of the result: its files and signatures, and the forms
    the officer may use on it now."""
    if dossier.state not in (State.PROCESSING, State.RESULT_READY, State.RETURNED):
        return None
    files = list(results.current_results(dossier))
    processing = dossier.state == State.PROCESSING
    may_attach = processing and can(request.user, results.ATTACH_RESULT, dossier.permission_scope())
    may_sign = processing and results.may_sign(request.user, dossier)
    if not (files or may_attach):
        return None
    return {
        "files": files,
        "attach_form": AttachResultForm(initial={"version": dossier.version})
        if may_attach
        else None,
        "may_sign": may_sign and bool(results.unsigned_results(dossier, files)),
        "required": dossier.procedure.signed_result_required,
    }
