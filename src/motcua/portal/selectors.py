"""Reads of the public site: what the home page offers, a citizen's own dossiers, feedback."""

from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from motcua.catalog.models import LifeEvent, Procedure
from motcua.core import pagecache
from motcua.dossiers.lifecycle import State
from motcua.dossiers.models import Dossier, DossierFile
from motcua.dossiers.services.results import current_results
from motcua.org.models import Agency, Tier

from .models import Feedback


def popular_procedures(limit: int = 8) -> list[Procedure]:
    """The procedures most dossiers were received for in the last year (the catalog's order
    when there are none yet). Counting a year of a province's dossiers is not free, so the
    ranking is kept an hour; the procedures themselves are read fresh."""
    ranked_ids = pagecache.pages().get_or_set(
        "popular-procedures", lambda: _rank_procedures(limit), 3600
    )
    found = {p.pk: p for p in Procedure.objects.filter(pk__in=ranked_ids, is_active=True)}
    ranked = [found[pk] for pk in ranked_ids if pk in found]
    if len(ranked) < limit:
        others = Procedure.objects.filter(is_active=True).exclude(pk__in=ranked_ids)
        ranked += list(others.exclude(online_level="info").order_by("name")[: limit - len(ranked)])
    return ranked


def _rank_procedures(limit: int) -> list[int]:
    since = timezone.now() - timedelta(days=365)
    counts = (
        Dossier.objects.filter(received_at__gte=since)
        .values("procedure_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "procedure_id")[:limit]
    )
    return [row["procedure_id"] for row in counts]


def life_events() -> QuerySet[LifeEvent]:
    return (
        LifeEvent.objects.annotate(count=Count("procedures", filter=Q(procedures__is_active=True)))
        .filter(count__gt=0)
        .order_by("order", "pk")
    )


def agencies_to_browse() -> list[Agency]:
    """Province departments and district-level committees: the agencies a citizen names."""
    return list(
        Agency.objects.filter(valid_to__isnull=True, unit__tier__in=[Tier.PROVINCE, Tier.DISTRICT])
        .filter(procedures__is_active=True)
        .annotate(count=Count("procedures", distinct=True))
        .select_related("unit")
        .order_by("unit__tier", "name")
    )


def my_dossiers(user) -> QuerySet[Dossier]:
    return (
        Dossier.objects.filter(owner=user)
        .select_related("procedure", "receiving_agency")
        .order_by("-created_at", "-pk")
    )


def my_dossier(user, reference) -> Dossier:
    """The citizen's own dossier by its reference; 404 for anyone else's (never 403: whether
    a dossier exists is not the visitor's business)."""
    dossier = my_dossiers(user).filter(reference=reference).first()
    if dossier is None:
        raise Http404
    return dossier


def result_files(dossier: Dossier) -> list[DossierFile]:
    """The electronic result, once it may reach the applicant: the latest version of each
    file (the signed copy, once a leader signed it), never the drafts it replaced."""
    if dossier.state not in (State.RESULT_READY, State.RETURNED):
        return []
    return list(current_results(dossier))


def published_feedback() -> QuerySet[Feedback]:
    return Feedback.objects.filter(
        allow_publish=True, state=Feedback.State.ANSWERED
    ).select_related("procedure", "agency")
