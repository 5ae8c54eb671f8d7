"""Reads of dossiers: scoped lists for staff, a dossier's page data, and the public lookup."""

from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q, QuerySet

from motcua.org.permissions import reachable_agency_ids

from .lifecycle import State
from .models import Dossier, DossierEvent
from .permissions import VIEW


def lookup_url(dossier: Dossier) -> str:
    """The public page a QR code on a form opens: the lookup with the code filled in."""
    base = settings.MOTCUA["PUBLIC_URL"].rstrip("/")
    return f"{base}/tra-cuu/?{urlencode({'ma': dossier.code or ''})}"


def visible_dossiers(user) -> QuerySet[Dossier]:
    """Dossiers an officer may see: those at, received by, or handed over by his agencies.

    Drafts are the applicant's own business and never shown to staff.
    """
    qs = Dossier.objects.exclude(state=State.DRAFT)
    agencies = reachable_agency_ids(user, VIEW)
    if agencies is None:
        return qs
    return qs.filter(
        Q(current_agency_id__in=agencies)
        | Q(receiving_agency_id__in=agencies)
        | Q(steps__agency_id__in=agencies)
    ).distinct()


def can_view(user, dossier: Dossier) -> bool:
    if dossier.owner_id is not None and dossier.owner_id == getattr(user, "pk", None):
        return True
    if dossier.state == State.DRAFT:
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
