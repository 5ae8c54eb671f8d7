"""Pages of the personal-data record: the citizen's "who read my dossiers" and export of
everything held about them; the supervisor's review of reads and export on a request."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from motcua.backoffice.views import staff_required
from motcua.core import downloads
from motcua.org import permissions
from motcua.portal.accounts import citizen_required

from . import subject
from .access import accesses_in_scope, accesses_of_person
from .forms import AccessFilterForm, SubjectRequestForm
from .permissions import REVIEW_ACCESS, SUBJECT_EXPORT

PAGE_SIZE = 50


def _zip_response(out, name: str):
    return downloads.file_response(out, filename=name, content_type="application/zip")


@citizen_required
@require_GET
def my_accesses(request):
    """Ai đã xem hồ sơ của tôi: each staff read of the citizen's dossiers, newest first."""
    page = Paginator(accesses_of_person(request.user), PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(request, "privacy/my_accesses.html", {"page": page})


@citizen_required
@require_GET
def my_data(request):
    """Everything motcua holds about the signed-in citizen, as a ZIP."""
    out = subject.build_zip(subject.of_account(request.user))
    return _zip_response(out, f"du-lieu-ca-nhan-{timezone.localdate():%Y%m%d}.zip")


@require_GET
@staff_required
def access_log(request):
    """The supervisor's review of reads of personal data within his scope."""
    permissions.require(request.user, REVIEW_ACCESS)
    form = AccessFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = accesses_in_scope(
        request.user,
        officer=(filters.get("can_bo") or "").strip(),
        code=(filters.get("ma") or "").strip(),
        since=filters.get("tu"),
        until=filters.get("den"),
    )
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("trang"))
    query = request.GET.copy()
    query.pop("trang", None)
    return render(
        request,
        "privacy/access_log.html",
        {"form": form, "page": page, "querystring": query.urlencode()},
    )


@require_http_methods(["GET", "POST"])
@staff_required
def subject_request(request):
    """Answer a person's request for their data, by ID number: the ZIP, recorded."""
    permissions.require(request.user, SUBJECT_EXPORT)
    form = SubjectRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        number = form.cleaned_data["so_dinh_danh"]
        out, data = subject.export_for_officer(request, number)
        if data.dossiers or data.accounts:
            return _zip_response(out, f"du-lieu-ca-nhan-{number}.zip")
        out.close()
        messages.warning(
            request, _("Không có dữ liệu nào của số định danh này trong phạm vi của bạn.")
        )
    return render(
        request,
        "privacy/subject_request.html",
        {"form": form},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
