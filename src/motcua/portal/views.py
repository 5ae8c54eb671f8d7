"""Public catalog pages: search and filter, a procedure's page, and the counter print-out."""

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET

from motcua.catalog import selectors
from motcua.core import pagecache, ratelimit
from motcua.dossiers.selectors import (
    cached_public_lookup_hit,
    lookup_cache_entry,
    public_lookup,
    public_timeline,
)
from motcua.notify.tally import count_lookup

from . import selectors as portal_selectors
from .forms import CatalogFilterForm, LookupForm
from .models import Rating
from .services import RATEABLE


@require_GET
@pagecache.cached_catalog_page(timeout=3600)  # "popular" follows the dossiers: an hour is fresh
def home(request):
    return render(
        request,
        "portal/home.html",
        {
            "form": CatalogFilterForm(),
            "fields": selectors.fields_with_counts(),
            "popular": portal_selectors.popular_procedures(),
            "life_events": portal_selectors.life_events(),
            "agencies": portal_selectors.agencies_to_browse(),
        },
    )


@require_GET
@pagecache.cached_catalog_page
def life_event(request, code: str):
    event = portal_selectors.life_events().filter(code=code).first()
    if event is None:
        raise Http404
    procedures = event.procedures.filter(is_active=True).select_related("field")
    return render(request, "portal/life_event.html", {"event": event, "procedures": procedures})


@require_GET
@pagecache.cached_catalog_page
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
@pagecache.cached_catalog_page
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

    A wrong code and a wrong phone get the same answer, and an address that guessed wrong too
    often in the last minute is refused, so codes cannot be enumerated. Anonymous answers come
    from the shared page cache until the dossier changes.
    """
    asked = LookupForm.quick(request.GET)

    def form() -> LookupForm:
        # Built only to render: a cached answer needs none.
        query = request.GET if "dt" in request.GET else None
        return LookupForm(query, initial={"ma": request.GET.get("ma", "")})

    if asked is None:  # no question yet, or one whose mistakes the form explains
        return render(request, "portal/lookup.html", {"form": form()})
    anonymous = pagecache.anonymous(request)
    entry = [lookup_cache_entry("page", asked[0])] if anonymous else []
    refused, prefetched = ratelimit.guess_check(request, "lookup", asked[0], also=entry)
    if refused:
        context = {"form": form(), "limited": True}
        return render(request, "portal/lookup.html", context, status=429)

    def page(dossier) -> str:
        # Cached until the dossier changes; a rating counts as a change (rate_dossier).
        rated = Rating.objects.filter(dossier_id=dossier.pk).exists()
        context = {
            "form": form(),
            "searched": True,
            "dossier": dossier,
            "timeline": public_timeline(dossier),
            "rated": rated,
            "may_rate": dossier.state in RATEABLE and not rated,
        }
        return render_to_string("portal/lookup.html", context, request)

    if anonymous:
        hit = cached_public_lookup_hit("page", *asked, page, prefetched=prefetched)
        body, agency_id = hit if hit is not None else (None, None)
    else:
        dossier = public_lookup(*asked)
        body = page(dossier) if dossier is not None else None
        agency_id = dossier.receiving_agency_id if dossier is not None else None
    count_lookup("web", agency_id, found=body is not None)
    if body is None:
        ratelimit.guess_failed(request, "lookup", asked[0])
        return render(request, "portal/lookup.html", {"form": form(), "searched": True})
    return HttpResponse(body)
