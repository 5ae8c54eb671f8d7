"""Recording staff reads of personal data, masking it for those who may not read it, and the
two readings of the record: the person's own ("ai đã xem hồ sơ của tôi") and the supervisor's.

What is recorded (Decree 13/2023/NĐ-CP asks the controller to be able to show who processed
a person's data, when and why): every staff read of one dossier's personal data — its page,
a file, a printed form, an API read, the counter's prefill — one line each; and every export
of a list with applicants' names — one line for the export naming each dossier it held, so
the person sees it and the supervisor sees one export, not fifty thousand lines. Lists shown
on screen (a queue, a drill-down page: a code and a name per row, refreshed all day long) are
not recorded: they would multiply writes by the page size for no more than the work shows,
and opening any of their dossiers is recorded. A person's reads of their own data are not
recorded either.
"""

from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet, Value
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from motcua.core.ratelimit import client_address
from motcua.dossiers.models import Dossier, DossierFile
from motcua.dossiers.permissions import VIEW_PERSONAL
from motcua.dossiers.selectors import may_view_personal, scope_condition
from motcua.dossiers.services.core import actor_agency
from motcua.org.models import Role
from motcua.org.permissions import reachable_agency_ids, roles_for
from motcua.org.selectors import active_assignments

from .models import PersonalDataAccess, Purpose
from .permissions import REVIEW_ACCESS

MASK = "***"
PERSONAL_FIELDS = (
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "applicant_email",
    "applicant_address",
    "delivery_address",
)


def _address(request) -> str | None:
    return client_address(request) or None  # "" when the server saw no address


def _roles(user, action: str) -> str:
    allowed = roles_for(action)
    held = sorted({a.role for a in active_assignments(user) if a.role in allowed})
    return ", ".join(str(Role(r).label) for r in held)


def record_read(
    request,
    *,
    purpose: str,
    dossier: Dossier | None = None,
    file: DossierFile | None = None,
    dossiers: Iterable[int] = (),
    subject=None,
    count: int | None = None,
    action: str = VIEW_PERSONAL,
) -> PersonalDataAccess | None:
    """Append one line to the record for a read by `request.user`; None for the owner's own."""
    user = request.user
    if dossier is not None and dossier.owner_id is not None and dossier.owner_id == user.pk:
        return None
    ids = list(dict.fromkeys(dossiers))
    agency = actor_agency(user, dossier) if dossier is not None else getattr(user, "agency", None)
    with transaction.atomic():
        entry = PersonalDataAccess.objects.create(
            at=timezone.now(),
            user=user,
            user_name=str(user)[:200],
            job_title=getattr(user, "job_title", "")[:120],
            agency=agency,
            roles=_roles(user, action)[:300],
            purpose=purpose,
            path=request.path[:300],
            address=_address(request),
            dossier=dossier,
            file=file,
            subject=subject,
            count=count if count is not None else (len(ids) if ids else 1),
        )
        if ids:
            through = PersonalDataAccess.dossiers.through
            through.objects.bulk_create(
                [through(personaldataaccess_id=entry.pk, dossier_id=pk) for pk in ids],
                batch_size=2000,
            )
    return entry


def require_personal(user, dossier: Dossier) -> None:
    """Refuse a read of the applicant's data or files to whoever only follows progress."""
    if not may_view_personal(user, dossier):
        raise PermissionDenied(_("Bạn không có quyền xem thông tin cá nhân của người nộp."))


def file_read(request, dossier: Dossier, stored: DossierFile) -> None:
    """Before a staff download: the right to read it, a file still held, and the record."""
    require_personal(request.user, dossier)
    if not stored.file.name:
        raise Http404  # erased when its retention period ended
    record_read(request, purpose=Purpose.FILE, dossier=dossier, file=stored)


# --- lists: masking what the reader may not see -----------------------------------------


def with_personal_flag(user, qs: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """Annotate `shows_personal`: whether `user` may read each row's applicant data."""
    where = scope_condition(user, VIEW_PERSONAL)
    flag = Value(True) if where is None else where
    return qs.annotate(shows_personal=ExpressionWrapper(flag, output_field=BooleanField()))


def mask(dossier: Dossier) -> Dossier:
    """Blank the applicant's data in memory (never saved): what a list shows without it."""
    for name in PERSONAL_FIELDS:
        setattr(dossier, name, MASK if name == "applicant_name" else "")
    return dossier


def masked_rows(user, rows: Iterable[Dossier]) -> list[Dossier]:
    """A page of a list: rows outside the user's personal-data scope masked."""
    rows = list(rows)
    allowed = set(
        with_personal_flag(user, Dossier.objects.filter(pk__in=[d.pk for d in rows]))
        .filter(shows_personal=True)
        .values_list("pk", flat=True)
    )
    return [d if d.pk in allowed else mask(d) for d in rows]


def exported_rows(request, qs: QuerySet[Dossier]) -> Iterator[Dossier]:
    """Stream an export's rows, masked where the reader may not see the applicant; once the
    export is written, record it with every dossier it showed with personal data."""
    shown: list[int] = []
    for d in with_personal_flag(request.user, qs).iterator(chunk_size=2000):
        if d.shows_personal:
            shown.append(d.pk)
            yield d
        else:
            yield mask(d)
    if shown:
        record_read(request, purpose=Purpose.EXPORT, dossiers=shown, count=len(shown))


def masked_events(events: Iterable, personal: bool) -> list:
    """A control sheet; for a reader without personal data, the applicant's own lines
    unnamed and without what he wrote, and no file names."""
    events = list(events)
    if personal:
        return events
    for e in events:
        if e.actor_id is not None and not e.actor.is_staff:
            e.actor_name, e.note = _("Người nộp hồ sơ"), ""
        if "name" in e.data:
            e.data = {**e.data, "name": MASK}
    return events


# --- reading the record ------------------------------------------------------------------


def accesses_of_person(user) -> QuerySet[PersonalDataAccess]:
    """Every recorded read of the data of `user`'s own dossiers, and of `user` as a person."""
    through = PersonalDataAccess.dossiers.through
    listed = through.objects.filter(dossier__owner=user).values("personaldataaccess_id")
    return (
        PersonalDataAccess.objects.filter(
            Q(dossier__owner=user) | Q(pk__in=listed) | Q(subject=user)
        )
        .select_related("agency", "dossier", "dossier__procedure")
        .order_by("-at", "-pk")
    )


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def accesses_in_scope(
    user, *, officer: str = "", code: str = "", since=None, until=None
) -> QuerySet[PersonalDataAccess]:
    """The record as a supervisor reviews it: reads by officers of his agencies or of
    dossiers at or received by them, filtered by officer, dossier code and days."""
    qs = PersonalDataAccess.objects.select_related("agency", "dossier", "user")
    agencies = reachable_agency_ids(user, REVIEW_ACCESS)
    if agencies is not None:
        qs = qs.filter(
            Q(agency_id__in=agencies)
            | Q(dossier__current_agency_id__in=agencies)
            | Q(dossier__receiving_agency_id__in=agencies)
        )
    if officer:
        qs = qs.filter(Q(user__username=officer) | Q(user_name__icontains=officer))
    if code:
        through = PersonalDataAccess.dossiers.through
        listed = through.objects.filter(dossier__code=code).values("personaldataaccess_id")
        qs = qs.filter(Q(dossier__code=code) | Q(pk__in=listed))
    if since:
        qs = qs.filter(at__gte=_day_start(since))
    if until:
        qs = qs.filter(at__lt=_day_start(until) + timedelta(days=1))
    return qs.order_by("-at", "-pk")
