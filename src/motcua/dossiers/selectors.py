"""Reads of dossiers: scoped lists for staff, a dossier's page data, and the public lookup."""

import uuid
from collections.abc import Callable
from typing import Any, NamedTuple
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import get_language

from motcua.core import pagecache
from motcua.org.permissions import reachable_agency_ids
from motcua.org.selectors import org_tree

from . import public_events
from .lifecycle import State
from .models import Dossier, DossierEvent, DossierStep
from .permissions import VIEW, VIEW_PERSONAL
from .public_events import PublicEvent


def public_url(path: str, request=None) -> str:
    """The absolute address of a public page, for links in messages and QR codes on forms.

    In development a link built during a request follows the address the site is served on;
    in production, and in tasks (no request), it is the configured public address: behind a
    proxy the request's host is not the one citizens use.
    """
    if request is not None and settings.ENVIRONMENT != "production":
        return request.build_absolute_uri(path)
    return settings.MOTCUA["PUBLIC_URL"].rstrip("/") + path


def lookup_url(dossier: Dossier, request=None) -> str:
    """The public page a QR code on a form opens: the lookup with the code filled in."""
    return public_url(f"/tra-cuu/?{urlencode({'ma': dossier.code or ''})}", request)


def visible_dossiers(user, action: str = VIEW) -> QuerySet[Dossier]:
    """Dossiers an officer may see: those at, received by, or handed over by his agencies.

    A citizen's draft is his own business and never shown to staff; a dossier turned away at
    the counter for completion (a draft without an owner) stays visible to that counter.
    With `action=VIEW_PERSONAL`: those whose applicant's data and files he may read.
    """
    qs = Dossier.objects.exclude(state=State.DRAFT, owner__isnull=False)
    where = scope_condition(user, action)
    return qs if where is None else qs.filter(where)


def scope_condition(user, action: str = VIEW) -> Q | None:
    """The condition `visible_dossiers` filters by; None when the user's scope is everything."""
    agencies = reachable_agency_ids(user, action)
    if agencies is None or len(agencies) >= len(org_tree().agency_unit):
        return None  # a province-wide role sees everything: no filter to evaluate
    # A subquery rather than a join: no duplicate rows, so no DISTINCT over large lists.
    handed_over = DossierStep.objects.filter(agency_id__in=agencies).values("dossier_id")
    return (
        Q(current_agency_id__in=agencies)
        | Q(receiving_agency_id__in=agencies)
        | Q(pk__in=handed_over)
    )


def may_view_personal(user, dossier: Dossier) -> bool:
    """Whether `user` may read the applicant's identity, contact and files of `dossier`."""
    if dossier.owner_id is not None and dossier.owner_id == getattr(user, "pk", None):
        return True
    return visible_dossiers(user, VIEW_PERSONAL).filter(pk=dossier.pk).exists()


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


def _lookup_parts(code: str, phone_last4: str) -> tuple[str, str] | None:
    code = (code or "").strip()
    digits = "".join(ch for ch in (phone_last4 or "") if ch.isdigit())
    if not code or len(digits) != 4:
        return None
    return code, digits


def last4(phone: str) -> str:
    """The last four digits of a phone number: what a citizen proves a dossier with."""
    return "".join(ch for ch in phone or "" if ch.isdigit())[-4:]


# The public answer shows only these; narrow queries keep the uncached lookup cheap (Django
# spends more time composing SQL for wide rows than the database spends answering it).
LOOKUP_FIELDS = (
    "id",
    "code",
    "state",
    "version",
    "applicant_phone",
    "received_at",
    "due_at",
    "appointment_at",
    "delivery",
    "procedure__name",
    "receiving_agency__name",
)


def _lookup_row(code: str) -> Dossier | None:
    return (
        Dossier.objects.select_related("procedure", "receiving_agency")
        .only(*LOOKUP_FIELDS)
        .filter(code=code)
        .first()
    )


def public_timeline(dossier: Dossier) -> list[PublicEvent]:
    """The events as the public sees them, in the applicant's words (`public_events`): what,
    when, which agency (never who), and on the newest line what is awaited and by when.
    Internal events (a draft's files, hand-overs inside an agency…) are left out."""
    events = (
        dossier.events.filter(action__in=public_events.PUBLIC)
        .select_related("actor_agency")
        .only("seq", "action", "to_state", "at", "data", "dossier_id", "actor_agency__name")
        .order_by("seq")
    )
    return public_events.timeline(events, dossier)


def public_lookup(code: str, phone_last4: str) -> Dossier | None:
    """The dossier for a code and the last four digits of the applicant's phone, or None.

    A wrong code and a wrong phone give the same None, so the answer reveals nothing.
    """
    parts = _lookup_parts(code, phone_last4)
    if parts is None:
        return None
    dossier = _lookup_row(parts[0])
    if dossier is None or last4(dossier.applicant_phone) != parts[1]:
        return None
    return dossier


LOOKUP_KINDS = ("page", "api")


def lookup_cache_keys(code: str) -> list[str]:
    """Every cached public answer about the dossier with this code, in every language."""
    return [
        pagecache.key("lookup", kind, language, code)
        for kind in LOOKUP_KINDS
        for language, _name in settings.LANGUAGES
    ]


def lookup_cache_entry(kind: str, code: str) -> tuple[str, str]:
    """(cache alias, key) of the cached answer `cached_public_lookup` reads for `code`, for
    a caller that reads it along with the rate-limit counters (ratelimit.guess_check)."""
    return "pages", pagecache.key("lookup", kind, get_language(), (code or "").strip())


_UNREAD = object()


class LookupHit(NamedTuple):
    """A public lookup's answer and the dossier's receiving agency (for counting lookups)."""

    answer: Any
    agency_id: int | None


def cached_public_lookup_hit(
    kind: str,
    code: str,
    phone_last4: str,
    build: Callable[[Dossier], Any],
    prefetched: dict | object = _UNREAD,
) -> LookupHit | None:
    """What `build` makes of the dossier `public_lookup` would find, with its receiving
    agency, or None.

    The answer is kept in the shared page cache until the dossier changes (services drop it on
    commit), so a citizen refreshing the page costs no query. `prefetched`: what the caller
    read already (lookup_cache_entry), instead of reading the entry again. The entry holds the
    phone's last four digits and is checked against them, so a wrong phone still gets None.
    """
    parts = _lookup_parts(code, phone_last4)
    if parts is None:
        return None
    code, digits = parts
    cache_key = pagecache.key("lookup", kind, get_language(), code)
    if prefetched is _UNREAD:
        entry = pagecache.pages().get(cache_key)
    else:  # already read with the rate-limit counters
        entry = prefetched.get(("pages", cache_key))
    if entry is None:
        generation = pagecache.generation()
        dossier = _lookup_row(code)
        if dossier is None:
            return None
        entry = (last4(dossier.applicant_phone), build(dossier), dossier.receiving_agency_id)
        pagecache.store(
            cache_key,
            entry,
            lambda: (
                pagecache.generation() == generation
                and Dossier.objects.filter(pk=dossier.pk, version=dossier.version).exists()
            ),
        )
    # Entries cached before the agency was kept are (digits, answer): agency unknown.
    stored_digits, answer, *rest = entry
    if stored_digits != digits:
        return None
    return LookupHit(answer, rest[0] if rest else None)


def cached_public_lookup(
    kind: str,
    code: str,
    phone_last4: str,
    build: Callable[[Dossier], Any],
    prefetched: dict | object = _UNREAD,
):
    """The answer of `cached_public_lookup_hit`, or None."""
    hit = cached_public_lookup_hit(kind, code, phone_last4, build, prefetched)
    return None if hit is None else hit.answer
