"""Reads of dossiers: scoped lists for staff, a dossier's page data, and the public lookup."""

import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q, QuerySet

from motcua.org.permissions import reachable_agency_ids
from motcua.org.selectors import org_tree

from .lifecycle import State
from .models import Dossier, DossierEvent, DossierStep
from .permissions import VIEW


def lookup_url(dossier: Dossier) -> str:
    """The public page a QR code on a form opens: the lookup with the code filled in."""
    base = settings.MOTCUA["PUBLIC_URL"].rstrip("/")
    return f"{base}/tra-cuu/?{urlencode({'ma': dossier.code or ''})}"


def visible_dossiers(user) -> QuerySet[Dossier]:
    """Dossiers an officer may see: those at, received by, or handed over by his agencies.

    A citizen's draft is his own business and never shown to staff; a dossier turned away at
    the counter for completion (a draft without an owner) stays visible to that counter.
    """
    qs = Dossier.objects.exclude(state=State.DRAFT, owner__isnull=False)
    agencies = reachable_agency_ids(user, VIEW)
    if agencies is None or len(agencies) >= len(org_tree().agency_unit):
        return qs  # a province-wide role sees everything: no filter to evaluate
    # A subquery rather than a join: no duplicate rows, so no DISTINCT over large lists.
    handed_over = DossierStep.objects.filter(agency_id__in=agencies).values("dossier_id")
    return qs.filter(
        Q(current_agency_id__in=agencies)
        | Q(receiving_agency_id__in=agencies)
        | Q(pk__in=handed_over)
    )


def find_visible(user, key: str, queryset: QuerySet[Dossier] | None = None) -> Dossier | None:
    """A dossier the user may see, by its code or, before it has one, by its reference."""
    qs = queryset if queryset is not None else visible_dossiers(user)
    try:
        return qs.filter(Q(code=key) | Q(reference=uuid.UUID(key))).first()
    except ValueError:
        return qs.filter(code=key).first()


def can_view(user, dossier: Dossier) -> bool:
    if dossier.owner_id is not None and dossier.owner_id == getattr(user, "pk", None):
        return True
    if dossier.state == State.DRAFT and dossier.owner_id is not None:
        return False
    return visible_dossiers(user).filter(pk=dossier.pk).exists()


def control_sheet(dossier: Dossier) -> QuerySet[DossierEvent]:
    return dossier.events.select_related("actor", "actor_agency", "step").order_by("seq")


def public_lookup(code: str, phone_last4: str) -> Dossier | None:
    """The dossier for a code and the last four digits of the applicant's phone, or None.

    A wrong code and a wrong phone give the same None, so the answer reveals nothing.
    """
    code = (code or "").strip()
    digits = "".join(ch for ch in (phone_last4 or "") if ch.isdigit())
    if not code or len(digits) != 4:
        return None
    dossier = (
        Dossier.objects.select_related("procedure", "receiving_agency", "current_agency")
        .filter(code=code)
        .first()
    )
    if dossier is None or not dossier.applicant_phone.endswith(digits):
        return None
    return dossier
