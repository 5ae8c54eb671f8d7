"""Feedback anyone may send about a procedure or an agency, its published answers, and the
rating of a finished dossier by whoever holds its code and phone (no account needed)."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from motcua.core import ratelimit
from motcua.dossiers.errors import InvalidInput, NotAllowed
from motcua.dossiers.selectors import public_lookup

from . import selectors, services
from .accounts import _apply_errors
from .forms import FeedbackForm, LookupForm
from .mine import rating_context
from .models import Feedback, Rating


@require_GET
def feedback_list(request):
    page = Paginator(selectors.published_feedback(), 20).get_page(request.GET.get("trang"))
    return render(request, "portal/feedback/list.html", {"page": page})


@require_http_methods(["GET", "POST"])
def feedback_new(request):
    initial = {"procedure": request.GET.get("thu_tuc", "")[:20], "kind": Feedback.Kind.FEEDBACK}
    user = request.user if request.user.is_authenticated and not request.user.is_staff else None
    if user is not None:
        initial.update(sender_name=user.full_name, sender_phone=user.phone, sender_email=user.email)
    form = FeedbackForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        address = ratelimit.client_address(request)
        if not ratelimit.hit(
            "feedback", address, settings.MOTCUA["FEEDBACK_PER_HOUR"], window=3600
        ):
            form.add_error(
                None, _("Bạn đã gửi nhiều phản ánh trong một giờ. Vui lòng thử lại sau.")
            )
        else:
            try:
                sent = services.feedback_send(data=form.cleaned_data, sender=user)
            except InvalidInput as exc:
                _apply_errors(form, exc.fields)
            else:
                return redirect("portal:feedback_detail", reference=sent.reference)
    return render(request, "portal/feedback/new.html", {"form": form}, status=200)


@require_http_methods(["GET", "POST"])
def feedback_detail(request, reference):
    """The sender's own page for their feedback (the link is the key); the public sees a
    feedback here only once it is answered and published. Once answered, the sender says
    whether the answer satisfied them (proving it with their phone's last digits or e-mail)."""
    item = (
        Feedback.objects.select_related("procedure", "agency").filter(reference=reference).first()
    )
    if item is None:
        raise Http404
    errors, status = {}, 200
    if request.method == "POST":
        choice = request.POST.get("verdict")
        if ratelimit.guessing_refused(request, "feedback", str(item.reference)):
            messages.error(request, _("Bạn đã thử quá nhiều lần. Vui lòng thử lại sau một phút."))
            status = 429
        elif choice not in Feedback.Verdict.values:
            errors, status = {"verdict": [_("Chọn hài lòng hoặc không hài lòng.")]}, 400
        else:
            try:
                services.feedback_judge(
                    feedback=item,
                    satisfied=choice == Feedback.Verdict.SATISFIED,
                    user=request.user,
                    proof=request.POST.get("proof", "")[:254],
                )
            except InvalidInput as exc:
                ratelimit.guess_failed(request, "feedback", str(item.reference))
                errors, status = exc.fields, 400
            except NotAllowed as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Cảm ơn bạn đã đánh giá câu trả lời."))
                return redirect("portal:feedback_detail", reference=reference)
        item.refresh_from_db()
    own = item.sender_id is not None and request.user.pk == item.sender_id
    return render(
        request,
        "portal/feedback/detail.html",
        {"item": item, "errors": errors, "own": own, "verdicts": Feedback.Verdict.choices},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def rate_by_code(request):
    """Rate a finished dossier received at a counter: the code and phone digits prove it."""
    source = request.POST if request.method == "POST" else request.GET
    lookup = LookupForm(source if "dt" in source else None, initial={"ma": source.get("ma", "")})
    dossier = None
    if lookup.is_bound and lookup.is_valid():
        code = lookup.cleaned_data["ma"]
        if ratelimit.guessing_refused(request, "lookup", code):
            return render(
                request, "portal/rate_by_code.html", {"lookup": lookup, "limited": True}, status=429
            )
        dossier = public_lookup(code, lookup.cleaned_data["dt"])
        if dossier is None:
            ratelimit.guess_failed(request, "lookup", code)
    errors = {}
    if dossier is not None and request.method == "POST" and "rate" in request.POST:
        answers = {k[2:]: v for k, v in request.POST.items() if k.startswith("c_")}
        try:
            services.rate_dossier(
                dossier=dossier,
                answers=answers,
                comment=request.POST.get("comment", ""),
                via=Rating.Via.LOOKUP,
            )
        except InvalidInput as exc:
            errors = exc.fields
        except NotAllowed as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Cảm ơn bạn đã đánh giá."))
            return redirect(f"{reverse('portal:lookup')}?ma={dossier.code}")
    rated = dossier is not None and Rating.objects.filter(dossier=dossier).exists()
    return render(
        request,
        "portal/rate_by_code.html",
        {
            "lookup": lookup,
            "dossier": dossier,
            "rated": rated,
            "rateable": dossier is not None and dossier.state in services.RATEABLE,
            "errors": errors,
            **rating_context(request.POST if request.method == "POST" else None),
        },
        status=400 if errors else 200,
    )
