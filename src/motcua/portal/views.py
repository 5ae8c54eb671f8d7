"""Public catalog pages: search and filter, a procedure's page, and the counter print-out."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from motcua.catalog import selectors
from motcua.core.ratelimit import client_address, hit
from motcua.dossiers.deadlines import dossier_timeliness
from motcua.dossiers.selectors import control_sheet, public_lookup

from .forms import CatalogFilterForm, LookupForm


@require_GET
def home(request):
    return render(
        request,
        "portal/home.html",
        {"form": CatalogFilterForm(), "fields": selectors.fields_with_counts()},
    )


@require_GET
def procedure_list(request):
    form = CatalogFilterForm(request.GET)
    filters = form.filters()
    paginator = Paginator(selectors.procedure_list(**filters), settings.MOTCUA["CATALOG_PAGE_SIZE"])
    page = paginator.get_page(request.GET.get("trang"))
    query = request.GET.copy()
    query.pop("trang", None)
    return render(
        request,
        "portal/procedure_list.html",
        {"form": form, "page": page, "filters": filters, "querystring": query.urlencode()},
    )


@require_GET
def procedure_print(request):
    form = CatalogFilterForm(request.GET)
    procedures = selectors.procedure_list(**form.filters()).prefetch_related("fees", "components")
    return render(request, "portal/procedure_print.html", {"procedures": procedures, "form": form})


@require_GET
def procedure_detail(request, code: str):
    procedure = selectors.procedure_detail(code)
    if procedure is None:
        raise Http404
    process = procedure.current_process()
    return render(
        request,
        "portal/procedure_detail.html",
        {
            "procedure": procedure,
            "steps": list(process.steps.all()) if process else [],
            "agencies": list(procedure.agencies.all()),
        },
    )


@require_GET
def lookup(request):
    """Track a dossier by its code and the last four digits of the applicant's phone.

    A wrong code and a wrong phone get the same answer, and each address may try only a few
    times a minute, so codes cannot be enumerated.
    """
    form = LookupForm(
        request.GET if "dt" in request.GET else None, initial={"ma": request.GET.get("ma", "")}
    )
    context = {"form": form}
    if form.is_bound and form.is_valid():
        if not hit("lookup", client_address(request), settings.MOTCUA["LOOKUP_PER_MINUTE"]):
            context["limited"] = True
            return render(request, "portal/lookup.html", context, status=429)
        dossier = public_lookup(form.cleaned_data["ma"], form.cleaned_data["dt"])
        context["searched"] = True
        if dossier is not None:
            context.update(
                dossier=dossier,
                timeliness=dossier_timeliness(dossier),
                timeline=control_sheet(dossier),
            )
    return render(request, "portal/lookup.html", context)
